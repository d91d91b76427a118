"""Admin pages: WeCom and DingTalk group robots of departments and jurisdictions, and their test message."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from helpdesk.admin.blueprint import bp, department_choices, get_or_404, jurisdiction_choices
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.notifications.forms import RobotForm
from helpdesk.notifications.models import OutboxMessage, Robot
from helpdesk.notifications.robots import create_robot, delete_robot, send_test, update_robot
from helpdesk.pages import form_page, save


def _form(robot: Robot | None = None) -> RobotForm:
    form = RobotForm(obj=robot)
    form.department_id.choices = department_choices()
    form.jurisdiction_id.choices = jurisdiction_choices()
    return form


def _values(form: RobotForm, keep_secret: bool) -> dict:
    values = {
        "kind": form.kind.data,
        "name": form.name.data,
        "webhook_url": form.webhook_url.data,
        "department_id": form.department_id.data,
        "jurisdiction_id": form.jurisdiction_id.data,
        "active": form.active.data,
    }
    if form.secret.data or not keep_secret or form.kind.data != "dingtalk":
        values["secret"] = form.secret.data  # an empty secret field on the edit page keeps the stored one
    return values


@bp.route("/robots", methods=["GET", "POST"])
def robots():
    """Every group robot, and a form to add one."""
    form = _form()
    listed = list(db.session.scalars(select(Robot).order_by(Robot.id)))
    return form_page(
        "admin/robots.html",
        form,
        lambda: create_robot(current_user, _values(form, keep_secret=False)),
        _("Group robot added."),
        lambda robot: url_for("admin.robot_edit", robot_id=robot.id),
        robots=listed,
    )


@bp.route("/robots/<int:robot_id>", methods=["GET", "POST"])
def robot_edit(robot_id: int):
    """One robot: change it, send it a test message, see how its last messages went, or remove it."""
    robot = get_or_404(Robot, robot_id)
    form = _form(robot)  # the secret is never shown again: a password field renders empty
    recent = list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.robot_id == robot.id).order_by(OutboxMessage.id.desc()).limit(10)
        )
    )
    return form_page(
        "admin/robot_edit.html",
        form,
        lambda: update_robot(current_user, robot, _values(form, keep_secret=True)),
        _("Saved."),
        url_for("admin.robot_edit", robot_id=robot.id),
        robot=robot,
        recent=recent,
        action_form=FlaskForm(),
    )


@bp.post("/robots/<int:robot_id>/test")
def robot_test(robot_id: int):
    """Queue a test message; the worker sends it, and this robot's page shows how it went."""
    robot = get_or_404(Robot, robot_id)
    outcome = save(
        FlaskForm(),
        lambda: send_test(current_user, robot, utcnow()),
        _("Test message queued: it goes out within seconds (refresh this page to see the result)."),
        url_for("admin.robot_edit", robot_id=robot.id),
    )
    return outcome.response or redirect(url_for("admin.robot_edit", robot_id=robot.id))


@bp.post("/robots/<int:robot_id>/delete")
def robot_delete(robot_id: int):
    robot = get_or_404(Robot, robot_id)
    outcome = save(
        FlaskForm(), lambda: delete_robot(current_user, robot), _("Group robot removed."), url_for("admin.robots")
    )
    return outcome.response or redirect(url_for("admin.robots"))
