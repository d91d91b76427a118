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

STATUS_STYLES = {
    "submitted": "secondary",
    "assigned": "info",
    "in_progress": "primary",
    "awaiting_enterprise": "warning",
    "resolved": "success",
    "closed": "dark",
    "withdrawn": "light",
    "declined": "light",
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

LEVEL_LABELS = {"province": _l("Province"), "city": _l("City"), "county": _l("County")}

SIZE_LABELS = {"micro": _l("Micro"), "small": _l("Small"), "medium": _l("Medium"), "large": _l("Large")}

# The admin audit log: which kind of record, and what was done to it.
AUDIT_ENTITY_LABELS = {
    "user": _l("User"),
    "enterprise": _l("Enterprise"),
    "department": _l("Department"),
    "category": _l("Category"),
    "routing_rule": _l("Routing rule"),
    "holiday_override": _l("Holiday override"),
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
