"""API: deliveries of notifications (the outbox), for admins; retry a failed one (PRODUCT.md §10)."""

from __future__ import annotations

from helpdesk.api.auth import current_user
from helpdesk.api.common import ApiBlueprint, paginate
from helpdesk.auth.services import admin_only
from helpdesk.db import utcnow
from helpdesk.errors import NotAllowed, NotFound
from helpdesk.extensions import db
from helpdesk.notifications.models import OutboxMessage
from helpdesk.notifications.outbox import deliveries_query, retry_now
from helpdesk.notifications.schemas import DeliveryPageSchema, DeliveryQuerySchema, DeliverySchema

blp = ApiBlueprint("api_deliveries", __name__, url_prefix="/api/v1", description="Deliveries of notifications.")


def _admin():
    user = current_user()
    try:
        admin_only(user)
    except NotAllowed as exc:
        raise NotAllowed("Only admins see deliveries.") from exc
    return user


@blp.route("/deliveries", methods=["GET"])
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, DeliveryPageSchema)
def list_deliveries(args):
    """Admins: outbox rows, newest first, filtered by status (pending, sending, sent, failed) and channel."""
    _admin()
    return paginate(deliveries_query(args.get("status"), args.get("channel")), args["page"], args["per_page"])


@blp.route("/deliveries/<id:delivery_id>/retry", methods=["POST"])
@blp.response(200, DeliverySchema)
def retry_delivery(delivery_id):
    """Admins: send a failed delivery again now (409 unless it failed)."""
    actor = _admin()
    message = db.session.get(OutboxMessage, delivery_id)
    if message is None:
        raise NotFound("No such delivery.")
    retry_now(actor, message, utcnow())
    db.session.commit()
    return message
