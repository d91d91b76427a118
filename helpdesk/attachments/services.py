"""Attachment verbs: store an upload, open a stored file for someone allowed to see it. Flush, never commit.

Files live under UPLOAD_FOLDER (outside static) under random names; their type is judged by content
(sniff.py), never by the name the client sent. Pages and the API both call these.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import unicodedata
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from helpdesk.attachments.sniff import sniff
from helpdesk.auth.models import Role, User
from helpdesk.db import utcnow
from helpdesk.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.tickets.models import Attachment, Ticket
from helpdesk.tickets.queries import ticket_visibility

MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024


class FileTooLarge(DomainError):
    """More than MAX_BYTES."""

    status = 413


class FileTypeNotAllowed(DomainError):
    """Content that is not one of the allowed types, whatever the file is called."""

    status = 415


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean_filename(name: str | None, extension: str) -> str:
    """The client's name for people to recognise (never a path), with the extension its content deserves."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem = name
    if ext.lower() != extension and not (extension == "jpg" and ext.lower() == "jpeg"):
        ext = extension
    stem = stem[:200] or "attachment"
    return f"{stem}.{ext}"


def store_attachment(
    actor: User, ticket: Ticket, file_storage: FileStorage | None, internal: bool = False
) -> Attachment:
    """Save an upload for `ticket` (which the caller has loaded through the visibility query)."""
    if internal and actor.role == Role.ENTERPRISE:
        raise NotAllowed("Enterprise users cannot attach internal files.")
    if file_storage is None or not isinstance(file_storage, FileStorage):
        raise ValidationFailed("Choose a file to upload.", field="file")
    folder = upload_folder()
    digest = hashlib.sha256()
    size = 0
    handle, temp_path = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "w+b") as out:
            while chunk := file_storage.stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FileTooLarge("The file is larger than 10 MB.", field="file")  # MAX_BYTES
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            kind = sniff(out)
        if size == 0:
            raise ValidationFailed("The file is empty.", field="file")
        if kind is None:
            raise FileTypeNotAllowed(
                "Only PDF, PNG, JPG, DOCX, XLSX files can be attached (judged by their content).", field="file"
            )
        stored_name = secrets.token_hex(16)
        os.replace(temp_path, folder / stored_name)
    except BaseException:
        Path(temp_path).unlink(missing_ok=True)
        raise
    attachment = Attachment(
        ticket_id=ticket.id,
        uploader_id=actor.id,
        filename=clean_filename(file_storage.filename, kind.extension),
        stored_name=stored_name,
        content_type=kind.mimetype,
        size=size,
        sha256=digest.hexdigest(),
        internal=bool(internal),
        created_at=utcnow(),
    )
    db.session.add(attachment)
    try:
        db.session.flush()
    except BaseException:
        (folder / stored_name).unlink(missing_ok=True)
        raise
    return attachment


def open_attachment(actor: User, attachment_id: int) -> tuple[Attachment, Path]:
    """The attachment and its file path, if `actor` may see it; NotFound otherwise (absent and hidden alike)."""
    attachment = db.session.scalar(
        select(Attachment)
        .join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(Attachment.id == attachment_id, ticket_visibility(actor))
    )
    if attachment is None or (attachment.internal and actor.role == Role.ENTERPRISE):
        raise NotFound("No such attachment.")
    path = upload_folder() / attachment.stored_name
    if not path.is_file():
        raise NotFound("The attachment's file is missing.")
    return attachment, path


def discard_file(attachment: Attachment) -> None:
    """Remove a stored file whose database row was not committed."""
    (upload_folder() / attachment.stored_name).unlink(missing_ok=True)
