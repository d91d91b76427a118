"""Admin verbs on group robots: add, change, remove one, and send it a test message through the outbox."""

from __future__ import annotations

from datetime import datetime

from helpdesk.audit.services import add_recorded, delete_recorded, record_change, snapshot
from helpdesk.auth.services import admin_only
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction
from helpdesk.notifications.messages import ROBOT_MESSAGES, SUBJECTS, group_locale, render
from helpdesk.notifications.models import Channel, OutboxMessage, Robot, RobotKind
from helpdesk.notifications.services import enqueue

FIELDS = ("kind", "name", "webhook_url", "secret", "department_id", "jurisdiction_id", "active")


def _apply(robot: Robot, values: dict) -> Robot:
    kind = values.get("kind", robot.kind)
    if kind not in {k.value for k in RobotKind}:
        raise ValidationFailed("Choose WeCom or DingTalk.", field="kind")
    robot.kind = RobotKind(kind)
    name = (values.get("name", robot.name) or "").strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed("Name must be 1 to 100 characters.", field="name")
    robot.name = name
    url = (values.get("webhook_url", robot.webhook_url) or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 500 or any(c.isspace() for c in url):
        raise ValidationFailed("The webhook must be an http(s) URL of at most 500 characters.", field="webhook_url")
    robot.webhook_url = url
    if "secret" in values:
        secret = (values["secret"] or "").strip() or None
        if secret and robot.kind != RobotKind.DINGTALK:
            raise ValidationFailed("Only DingTalk robots have a signing secret.", field="secret")
        robot.secret = secret
    department_id = values.get("department_id", robot.department_id)
    jurisdiction_id = values.get("jurisdiction_id", robot.jurisdiction_id)
    if (department_id is None) == (jurisdiction_id is None):
        raise ValidationFailed("A robot belongs to one department or to one jurisdiction.", field="department_id")
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise ValidationFailed("No such department.", field="department_id")
    if jurisdiction_id is not None and db.session.get(Jurisdiction, jurisdiction_id) is None:
        raise ValidationFailed("No such jurisdiction.", field="jurisdiction_id")
    robot.department_id, robot.jurisdiction_id = department_id, jurisdiction_id
    if "active" in values:
        robot.active = bool(values["active"])
    return robot


def create_robot(actor, values: dict) -> Robot:
    """A new group robot of a department or a jurisdiction (audited; its webhook and secret are not logged)."""
    admin_only(actor)
    robot = _apply(Robot(active=True, secret=None), {k: values.get(k) for k in FIELDS if k in values})
    return add_recorded(actor, "robot", robot)


def update_robot(actor, robot: Robot, values: dict) -> Robot:
    admin_only(actor)
    before = snapshot(robot)
    _apply(robot, values)
    db.session.flush()
    record_change(actor, "robot", robot, "update", before)
    return robot


def delete_robot(actor, robot: Robot) -> None:
    """Remove a robot; its past deliveries stay on the delivery page (their robot is gone)."""
    admin_only(actor)
    delete_recorded(actor, "robot", robot)


def send_test(actor, robot: Robot, now: datetime) -> OutboxMessage:
    """A test message to the robot's group, delivered by the worker like any other."""
    admin_only(actor)
    locale = group_locale()
    payload = {
        "kind": "test",
        "subject": render(SUBJECTS["test"], locale, {}),
        "body": render(ROBOT_MESSAGES["test"], locale, {}),
    }
    message = enqueue(Channel(str(robot.kind)), robot.name, payload, now=now, robot=robot)
    db.session.flush()
    return message
