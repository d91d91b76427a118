"""The workflow of PRODUCT.md §3 as one table: (action, from-statuses → to-status, who may).

Every action goes through `guard()`; walking this table is the workflow test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from helpdesk.auth.models import Role, User
from helpdesk.errors import InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.tickets.models import OPEN_STATUSES, Status, Ticket


class Party(StrEnum):
    """How the acting user relates to the ticket."""

    ASSIGNEE = "assignee"  # the cadre handling it
    ENTERPRISE = "enterprise"  # a user of the ticket's enterprise
    SUPERVISOR = "supervisor"  # a supervisor whose subtree holds the enterprise
    ADMIN = "admin"
    SYSTEM = "system"  # the periodic sweep


@dataclass(frozen=True)
class Transition:
    action: str
    from_statuses: frozenset[Status]
    to_status: Status | None  # None: the status does not change
    who: frozenset[Party]
    needs_note: bool = False
    needs: tuple[str, ...] = ()  # other required fields: department_id, assignee_id, rating, days


def _t(action, from_statuses, to_status, who, needs_note=False, needs=()):
    return Transition(action, frozenset(from_statuses), to_status, frozenset(who), needs_note, tuple(needs))


P = Party
S = Status
OPEN = OPEN_STATUSES

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("accept", {S.ASSIGNED}, S.IN_PROGRESS, {P.ASSIGNEE}),  # 签收
        _t("assign", OPEN, S.ASSIGNED, {P.SUPERVISOR, P.ADMIN}, needs=("assignee_id",)),  # 交办
        _t("transfer", OPEN, S.ASSIGNED, {P.ASSIGNEE, P.SUPERVISOR}, True, ("department_id",)),  # 转办
        _t("escalate", OPEN, S.ASSIGNED, {P.ASSIGNEE, P.SUPERVISOR}),  # 上报
        _t("request_info", {S.IN_PROGRESS}, S.AWAITING_ENTERPRISE, {P.ASSIGNEE}, True),
        _t("provide_info", {S.AWAITING_ENTERPRISE}, S.IN_PROGRESS, {P.ENTERPRISE}, True),
        _t("add_cohandler", OPEN, None, {P.ASSIGNEE, P.SUPERVISOR}, needs=("department_id",)),  # 协办
        _t("resolve", {S.IN_PROGRESS}, S.RESOLVED, {P.ASSIGNEE}, True),  # 办结
        _t("confirm", {S.RESOLVED}, S.CLOSED, {P.ENTERPRISE}, needs=("rating",)),  # 销号
        _t("reopen", {S.RESOLVED}, S.IN_PROGRESS, {P.ENTERPRISE}, True),  # 重办
        _t("withdraw", OPEN, S.WITHDRAWN, {P.ENTERPRISE}, True),
        _t("decline", OPEN, S.DECLINED, {P.SUPERVISOR}, True),
        _t("urge", OPEN, None, {P.SUPERVISOR}),  # 督办
        _t("extend", OPEN, None, {P.SUPERVISOR}, True, ("days",)),  # 延期
        _t("auto_close", {S.RESOLVED}, S.CLOSED, {P.SYSTEM}),
    )
}

# Actions a person may ask for through the pages or the API (auto_close belongs to the sweep).
USER_ACTIONS = tuple(a for a in TRANSITIONS if a != "auto_close")
# Actions whose `note` must not be empty (the reason, question, answer or resolution).
NOTE_ACTIONS = tuple(a for a in USER_ACTIONS if TRANSITIONS[a].needs_note)


def parties(user: User | None, ticket: Ticket, supervised_ids: frozenset[int] = frozenset()) -> set[Party]:
    """Every way `user` relates to `ticket`; `supervised_ids` is the user's jurisdiction subtree."""
    if user is None:
        return {Party.SYSTEM}
    found: set[Party] = set()
    if user.role == Role.CADRE and ticket.assignee_id == user.id:
        found.add(Party.ASSIGNEE)
    if user.role == Role.ENTERPRISE and ticket.enterprise_id == user.enterprise_id:
        found.add(Party.ENTERPRISE)
    if user.role == Role.SUPERVISOR and ticket.jurisdiction_id in supervised_ids:
        found.add(Party.SUPERVISOR)
    if user.role == Role.ADMIN:
        found.add(Party.ADMIN)
    return found


def guard(action: str, ticket: Ticket, acting_as: set[Party], version: int | None) -> Transition:
    """The transition for this action, or the domain error that refuses it (nothing is written)."""
    transition = TRANSITIONS.get(action)
    if transition is None or (action == "auto_close" and Party.SYSTEM not in acting_as):
        raise ValidationFailed(f"Unknown action {action!r}.", field="action")
    # A stale version is checked first: whoever acted on an old page gets "it changed, reload",
    # even when the change (a transfer, say) also took the ticket out of their hands.
    if version is not None and version != ticket.version:
        raise InvalidTransition(
            f"The ticket has changed since you loaded it (version {version}, now {ticket.version}). Reload it."
        )
    if not acting_as & transition.who:
        who = ", ".join(sorted(p.value for p in transition.who))
        raise NotAllowed(f"Only the {who} may {action.replace('_', ' ')} this ticket.")
    if ticket.status not in transition.from_statuses:
        raise InvalidTransition(f"Cannot {action.replace('_', ' ')} a ticket that is {ticket.status}.")
    return transition
