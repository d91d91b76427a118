"""Enterprise verbs: create, edit, pair with a cadre, import from CSV. Flush, never commit."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import func, select

from helpdesk.audit.services import record_change, snapshot
from helpdesk.auth.models import Role, User
from helpdesk.auth.services import canonical_email
from helpdesk.enterprises.credit_code import CreditCodeError, validate_credit_code
from helpdesk.enterprises.models import SIZES, Enterprise
from helpdesk.errors import N_, Conflict, DomainError, NotAllowed, Term, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction, Level
from helpdesk.jurisdictions.scope import office_scope
from helpdesk.labels import SIZE_LABELS

EDITABLE = ("name", "credit_code", "jurisdiction_id", "industry", "size", "contact_name", "contact_phone", "is_key")
GOVERNMENT = (Role.CADRE, Role.SUPERVISOR, Role.ADMIN)
REGISTER_REFUSED = "Only government users register enterprises."


def _clean(values: dict, *, partial: bool = False) -> dict:
    """Validate enterprise fields; raises ValidationFailed naming the field."""
    out = {}
    if "name" in values or not partial:
        name = (values.get("name") or "").strip()
        if not 2 <= len(name) <= 200:
            raise ValidationFailed("Name must be 2 to 200 characters.", field="name")
        out["name"] = name
    if "credit_code" in values or not partial:
        try:
            out["credit_code"] = validate_credit_code(values.get("credit_code") or "")
        except CreditCodeError as exc:
            raise ValidationFailed(exc.template, field="credit_code", **exc.params) from exc
    if "jurisdiction_id" in values or not partial:
        jurisdiction = db.session.get(Jurisdiction, values.get("jurisdiction_id") or 0)
        if jurisdiction is None or jurisdiction.level != Level.COUNTY:
            raise ValidationFailed("Choose the county-level division the enterprise is in.", field="jurisdiction_id")
        out["jurisdiction_id"] = jurisdiction.id
    if values.get("size") not in (None, ""):
        if values["size"] not in SIZES:
            sizes = Term.either([Term(size, SIZE_LABELS.get(size, size)) for size in SIZES])
            raise ValidationFailed("Size must be one of %(sizes)s.", field="size", sizes=sizes)
        out["size"] = values["size"]
    for key, limit in (("industry", 100), ("contact_name", 100), ("contact_phone", 40)):
        if key in values:
            text = (values.get(key) or "").strip()
            if len(text) > limit:
                raise ValidationFailed("Longer than maximum length %(high)s.", field=key, high=limit)
            out[key] = text or None
    if "is_key" in values:
        out["is_key"] = bool(values["is_key"])
    return out


def _check_unique_code(credit_code: str, exclude_id: int | None = None) -> None:
    query = select(func.count()).select_from(Enterprise).where(Enterprise.credit_code == credit_code)
    if exclude_id is not None:
        query = query.where(Enterprise.id != exclude_id)
    if db.session.scalar(query):
        raise Conflict("An enterprise with credit code %(code)s already exists.", field="credit_code", code=credit_code)


def _liaison(liaison_id: int | None) -> User | None:
    if liaison_id is None:
        return None
    cadre = db.session.get(User, liaison_id)
    if cadre is None or cadre.role != Role.CADRE or not cadre.active:
        raise ValidationFailed("The liaison must be an active cadre.", field="liaison_id")
    return cadre


def create_enterprise(actor: User, values: dict) -> Enterprise:
    """Register a company (cadre, supervisor, admin); 422 on a bad field, 409 on a duplicate credit code."""
    if actor.role not in GOVERNMENT:
        raise NotAllowed(REGISTER_REFUSED)
    clean = _clean(values)
    if clean["jurisdiction_id"] not in office_scope(actor):
        raise ValidationFailed("That division is outside your jurisdiction.", field="jurisdiction_id")
    _check_unique_code(clean["credit_code"])
    liaison = _liaison(values.get("liaison_id"))
    enterprise = Enterprise(**clean, liaison_id=liaison.id if liaison else None)
    db.session.add(enterprise)
    db.session.flush()
    if actor.role == Role.ADMIN:
        record_change(actor, "enterprise", enterprise, "create", None)
    return enterprise


def update_enterprise(actor: User, enterprise: Enterprise, values: dict) -> Enterprise:
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only admins edit enterprises.")
    before = snapshot(enterprise)
    clean = _clean({k: v for k, v in values.items() if k in EDITABLE}, partial=True)
    if "credit_code" in clean:
        _check_unique_code(clean["credit_code"], exclude_id=enterprise.id)
    for key, value in clean.items():
        setattr(enterprise, key, value)
    if "liaison_id" in values:
        liaison = _liaison(values["liaison_id"])
        enterprise.liaison_id = liaison.id if liaison else None
    db.session.flush()
    record_change(actor, "enterprise", enterprise, "update", before)
    return enterprise


def pair_enterprise(actor: User, enterprise: Enterprise, liaison_id: int | None) -> Enterprise:
    """Pair the company with a cadre (包联); the new liaison follows tickets filed from now on."""
    return update_enterprise(actor, enterprise, {"liaison_id": liaison_id})


@dataclass
class ImportResult:
    created: list[Enterprise] = field(default_factory=list)
    errors: list[tuple[int, str, DomainError]] = field(default_factory=list)  # (line, field, refusal)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(ValidationFailed):
    """A CSV file with bad rows: nothing of it is imported; `rows` lists every problem."""

    def __init__(self, rows: list[tuple[int, str, DomainError]]):
        super().__init__(N_("Nothing was imported: correct the rows below and import the file again."), field="file")
        self.rows = rows


IMPORT_COLUMNS = (
    "name",
    "credit_code",
    "jurisdiction_code",
    "industry",
    "size",
    "contact_name",
    "contact_phone",
    "is_key",
    "liaison_email",
)


def import_enterprises_csv(actor: User, data: bytes) -> ImportResult:
    """Import companies from CSV; ImportRejected lists every bad row, and then nothing is imported."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([(1, "file", ValidationFailed("The file is not UTF-8 text."))]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("name", "credit_code", "jurisdiction_code") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected(
            [(1, "header", ValidationFailed("Missing columns: %(columns)s.", columns=", ".join(missing)))]
        )
    codes = {j.code: j.id for j in db.session.scalars(select(Jurisdiction))}
    seen: dict[str, int] = {}
    rows = []
    for line, row in enumerate(reader, start=2):
        try:
            values = {
                "name": row.get("name"),
                "credit_code": row.get("credit_code"),
                "jurisdiction_id": codes.get((row.get("jurisdiction_code") or "").strip()),
                "industry": row.get("industry"),
                "size": (row.get("size") or "").strip() or None,
                "contact_name": row.get("contact_name"),
                "contact_phone": row.get("contact_phone"),
                "is_key": (row.get("is_key") or "").strip().lower() in ("1", "true", "yes", "是"),
            }
            clean = _clean(values)
            if clean["credit_code"] in seen:
                raise ValidationFailed(
                    "Same credit code as line %(line)s.", field="credit_code", line=seen[clean["credit_code"]]
                )
            _check_unique_code(clean["credit_code"])
            seen[clean["credit_code"]] = line
            email = canonical_email(row.get("liaison_email"))
            if email:
                liaison = db.session.scalar(select(User).where(User.email == email))
                if liaison is None or liaison.role != Role.CADRE:
                    raise ValidationFailed("No cadre with email %(email)s.", field="liaison_email", email=email)
                clean["liaison_id"] = liaison.id
            rows.append(clean)
        except (ValidationFailed, Conflict) as exc:
            result.errors.append((line, exc.field or "", exc))
    if result.errors:
        raise ImportRejected(result.errors)
    for clean in rows:
        enterprise = Enterprise(**clean)
        db.session.add(enterprise)
        result.created.append(enterprise)
    db.session.flush()
    for enterprise in result.created:
        record_change(actor, "enterprise", enterprise, "import", None)
    return result
