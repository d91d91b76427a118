"""People-facing names of statuses, actions, roles, ratings and colours, in the UI language.

The code keeps the English value (`in_progress`); pages show `STATUS_LABELS[value]`, translated
by Flask-Babel at render time (lazy_gettext), so the same table serves zh_CN and en.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here (pybabel -k N_)."""
    return message


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

ACTION_LABELS = {
    "file": _l("Filed"),
    "accept": _l("Accept"),  # 签收
    "assign": _l("Assign"),  # 交办
    "transfer": _l("Transfer"),  # 转办
    "escalate": _l("Escalate"),  # 上报
    "request_info": _l("Request information"),
    "provide_info": _l("Provide information"),
    "add_cohandler": _l("Add co-handling department"),  # 协办
    "resolve": _l("Resolve"),  # 办结
    "confirm": _l("Confirm and rate"),  # 销号
    "reopen": _l("Reopen"),  # 重办
    "withdraw": _l("Withdraw"),
    "decline": _l("Decline"),
    "urge": _l("Urge"),  # 督办
    "extend": _l("Extend the deadline"),  # 延期
    "auto_close": _l("Closed automatically"),
}

# What the note of each action is called on its form.
NOTE_LABELS = {
    "transfer": _l("Reason for the transfer"),
    "escalate": _l("Reason (optional)"),
    "request_info": _l("Question for the enterprise"),
    "provide_info": _l("Your answer"),
    "resolve": _l("Resolution"),
    "confirm": _l("Comment (optional)"),
    "reopen": _l("Why is it not solved?"),
    "withdraw": _l("Reason for withdrawing"),
    "decline": _l("Reason for declining (shown to the enterprise)"),
    "extend": _l("Reason for the extension"),
}
DEFAULT_NOTE_LABEL = _l("Note (optional)")

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

# Messages the services raise (errors shown beside form fields): listed here so that pybabel
# extracts them and the pages can show them in the user's language. Messages with values
# filled in at run time are shown as they come.
SERVICE_MESSAGES = (
    N_("Shorter than minimum length 1."),
    N_("Shorter than minimum length 5."),
    N_("Shorter than minimum length 10."),
    N_("Longer than maximum length 40."),
    N_("Longer than maximum length 100."),
    N_("Longer than maximum length 200."),
    N_("Longer than maximum length 5000."),
    N_("Missing data for required field."),
    N_("Choose an active cadre."),
    N_("That cadre works outside your jurisdiction."),
    N_("The ticket is already assigned to that cadre."),
    N_("No such department."),
    N_("The ticket is already with that department."),
    N_("That department already handles this ticket."),
    N_("Rating must be satisfied, basically_satisfied or dissatisfied."),
    N_("Extend by 1 to 30 working days."),
    N_("Enterprise users cannot write internal notes."),
    N_("An enterprise user files for its own company only."),
    N_("Name the enterprise you file for."),
    N_("No such enterprise among those you can see."),
    N_("Priority must be normal or urgent."),
    N_("The ticket was changed by someone else at the same time. Reload it and try again."),
    N_("Name is required."),
    N_("Name must be 1 to 100 characters."),
    N_("Name must be 2 to 200 characters."),
    N_("You cannot deactivate yourself."),
    N_("Password must be at least 8 characters."),
    N_("Only cadres belong to a department."),
    N_("Only cadres can be away."),
    N_("Locale must be zh_CN or en."),
    N_("Choose the county-level division the enterprise is in."),
    N_("That division is outside your jurisdiction."),
    N_("The liaison must be an active cadre."),
    N_("Only admins edit enterprises."),
    N_("Only government users register enterprises."),
    N_("Only admins change other users."),
    N_("Choose a file to upload."),
    N_("The file is empty."),
    N_("The file is larger than 10 MB."),
    N_("Only PDF, PNG, JPG, DOCX, XLSX files can be attached (judged by their content)."),
    N_("Enterprise users cannot attach internal files."),
    N_("Only admins change reference data."),
    N_("This field is required."),
    N_("No such jurisdiction."),
    N_("No such category."),
    N_("Use lower-case letters, digits, - and _ only."),
    N_("That jurisdiction already has a department with this code."),
    N_("The response limit cannot be longer than the resolution limit."),
    N_("A category with this code already exists."),
    N_("The department must belong to the rule's jurisdiction or one above it."),
    N_("There is already a rule for this category in this jurisdiction: edit it."),
    N_("Choose a date."),
    N_("Choose a date between 2000 and 2100."),
    N_("That date already has an override: delete it first to change it."),
    N_("Must be a whole number from 0 to 30."),
    N_("Must be a whole number from 1 to 60."),
    N_("Must be a whole number from 0 to 1000."),
    N_("Shorter than minimum length 2."),
    N_("Longer than maximum length 30."),
    N_("Longer than maximum length 60."),
    N_("Longer than maximum length 80."),
    N_("Longer than maximum length 120."),
    N_("Longer than maximum length 160."),
    N_("Longer than maximum length 500."),
    # An action that needs a note, without one (tickets/services.py: perform_action).
    N_("transfer needs a note."),
    N_("request_info needs a note."),
    N_("provide_info needs a note."),
    N_("resolve needs a note."),
    N_("reopen needs a note."),
    N_("withdraw needs a note."),
    N_("decline needs a note."),
    N_("extend needs a note."),
    # The API's role refusals (roles_allowed).
    N_("Only admins manage users."),
    N_("Reports are for government users."),
)


def translate_message(message: str) -> str:
    """A service's message in the UI language when the catalog knows it; as it is otherwise."""
    return gettext(message) if message else message
