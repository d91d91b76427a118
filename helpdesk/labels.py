"""People-facing names of statuses, roles, ratings, priorities, colours and levels, in the UI language.

What each workflow action is called lives in its row of tickets/workflow.py.

The code keeps the English value (`in_progress`); pages show `STATUS_LABELS[value]`, translated
by Flask-Babel at render time (lazy_gettext), so the same table serves zh_CN and en.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "submitted": _l("Awaiting assignment"),
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "awaiting_enterprise": _l("Awaiting the enterprise"),
    "resolved": _l("Resolved"),  # 办结
    "closed": _l("Closed"),  # 销号
    "withdrawn": _l("Withdrawn"),
    "declined": _l("Declined"),
}

# Each status's badge (helpdesk.css .badge-status-*): a palette of its own — blues, violet and greys — so
# that green, yellow, orange and red only ever mean the three-colour warning.
STATUS_STYLES = {
    "submitted": "status-waiting",
    "assigned": "status-assigned",
    "in_progress": "status-working",
    "awaiting_enterprise": "status-paused",
    "resolved": "status-resolved",
    "closed": "status-closed",
    "withdrawn": "status-ended",
    "declined": "status-ended",
}

ROLE_LABELS = {
    "enterprise": _l("Enterprise user"),
    "cadre": _l("Assistance cadre"),  # 助企干部
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}

RATING_LABELS = {
    "satisfied": _l("Satisfied"),  # 满意
    "basically_satisfied": _l("Basically satisfied"),  # 基本满意
    "dissatisfied": _l("Dissatisfied"),  # 不满意
}

PRIORITY_LABELS = {"normal": _l("Normal"), "urgent": _l("Urgent")}

COLOUR_LABELS = {
    "green": _l("Green"),
    "yellow": _l("Yellow"),
    "orange": _l("Orange"),
    "red": _l("Red"),
    "awaiting": _l("Clock stopped"),
}

# The level a ticket is handled at (承办层级): 县级 / 市级 / 省级 — words of their own, not the field names
# "County" (所在县区) or "City".
LEVEL_LABELS = {"province": _l("Province level"), "city": _l("City level"), "county": _l("County level")}

# Who may take an action, as the workflow's refusals name them ("Only the assignee may resolve…").
PARTY_LABELS = {
    "assignee": _l("the handling cadre"),
    "enterprise": _l("the enterprise"),
    "supervisor": _l("a supervisor"),
    "admin": _l("an administrator"),
    "system": _l("the system"),
    "lead": _l("the lead department of its common issue"),
}

SIZE_LABELS = {"micro": _l("Micro"), "small": _l("Small"), "medium": _l("Medium"), "large": _l("Large")}

# The admin audit log: which kind of record, and what was done to it.
AUDIT_ENTITY_LABELS = {
    "user": _l("User"),
    "enterprise": _l("Enterprise"),
    "department": _l("Department"),
    "category": _l("Category"),
    "routing_rule": _l("Routing rule"),
    "holiday_override": _l("Holiday override"),
    "robot": _l("Group robot"),
    "delivery": _l("Delivery"),
}
# Deliveries of notifications (the outbox) and their channels.
DELIVERY_STATUS_LABELS = {
    "pending": _l("Pending"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}
CHANNEL_LABELS = {
    "email": _l("Email"),
    "sms": _l("Text message (SMS)"),
    "wecom": _l("WeCom group robot"),  # 企业微信群机器人
    "dingtalk": _l("DingTalk group robot"),  # 钉钉群机器人
}
AUDIT_ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "import": _l("Imported"),
}

# The security audit log (安全审计): what happened.
SECURITY_KIND_LABELS = {
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "login_failed": _l("Failed login"),
    "locked": _l("Account locked"),
    "unlocked": _l("Account unlocked"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset by an admin"),
    "token_issued": _l("API token issued"),
    "token_revoked": _l("API token revoked"),
    "user_created": _l("User created"),
    "access_changed": _l("Role or scope changed"),
    "deactivated": _l("Deactivated"),
    "reactivated": _l("Reactivated"),
    "report_exported": _l("Report exported"),
}
