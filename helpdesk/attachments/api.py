"""API: upload files to a ticket, list them, download one (PRODUCT.md §7, §9)."""

from __future__ import annotations

from flask import send_file

from helpdesk.api.auth import current_user
from helpdesk.api.common import ApiBlueprint
from helpdesk.api.openapi import errors
from helpdesk.attachments.schemas import AttachmentSchema, UploadSchema
from helpdesk.attachments.services import discard_file, open_attachment, store_attachment
from helpdesk.attachments.sniff import ALLOWED
from helpdesk.extensions import db
from helpdesk.tickets.models import Attachment
from helpdesk.tickets.queries import load_visible_ticket, visible_items

blp = ApiBlueprint("api_attachments", __name__, url_prefix="/api/v1", description="Files attached to tickets.")


@blp.route("/tickets/<id:ticket_id>/attachments", methods=["POST"])
@errors(403, 413, 415, descriptions={403: "Enterprise users cannot attach internal files."})
@blp.arguments(UploadSchema, location="multipart")
@blp.response(201, AttachmentSchema)
def upload(values, ticket_id):
    """Attach a file (multipart field `file`); `internal` files are for government users only."""
    user = current_user()
    ticket = load_visible_ticket(user, ticket_id)
    attachment = store_attachment(user, ticket, values["file"], internal=values["internal"])
    try:
        db.session.commit()
    except BaseException:
        discard_file(attachment)
        raise
    return attachment, 201


@blp.route("/tickets/<id:ticket_id>/attachments", methods=["GET"])
@blp.response(200, AttachmentSchema(many=True))
def list_attachments(ticket_id):
    """The ticket's attachments, oldest first (internal ones hidden from enterprise users)."""
    return visible_items(current_user(), Attachment, ticket_id)


DOWNLOAD = "The file, as a download, with the content type judged from its content when it was uploaded."


def _file_responses(func):
    """The download answers with the type judged from the file's content: one documented content type each."""
    binary = {"type": "string", "format": "binary"}
    first, *others = (kind.mimetype for kind in ALLOWED)
    func = blp.response(200, binary, description=DOWNLOAD, content_type=first)(func)
    for mimetype in others:
        func = blp.alt_response(200, schema=binary, description=DOWNLOAD, content_type=mimetype, success=True)(func)
    return func


@blp.route("/attachments/<id:attachment_id>", methods=["GET"])
@_file_responses
def download(attachment_id):
    """Download a file of a ticket you can see."""
    attachment, path = open_attachment(current_user(), attachment_id)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
