"""The words of every notice, by kind: for a person (in-app, email, SMS) and for a group robot.

Templates are English msgids marked with N_() for extraction and translated when a notice is written,
in the recipient's language (a robot's group reads DEFAULT_LOCALE).
"""

from __future__ import annotations

from flask import current_app

from helpdesk.i18n import catalog, translate


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel); it is translated later, in the recipient's locale."""
    return message


# What a person reads, by kind.
MESSAGES = {
    "assigned": N_("Ticket %(number)s “%(title)s” has been assigned to you."),
    "urged": N_("Ticket %(number)s “%(title)s” has been urged by a supervisor (督办). Please act on it."),
    "resolved": N_("Ticket %(number)s “%(title)s” has been resolved. Please confirm and rate it, or reopen it."),
    "reopened": N_("Ticket %(number)s “%(title)s” was reopened by the enterprise: %(note)s"),
    "reopened_on_callback": N_(
        "Ticket %(number)s “%(title)s” was reopened after a callback found it not solved: %(note)s"
    ),
    "info_requested": N_("Ticket %(number)s “%(title)s”: the handler needs more information: %(note)s"),
    "warning": N_("Ticket %(number)s “%(title)s” is now %(colour)s."),
    # Neither a ticket nor an account: the monthly bulletin (bulletin/sending.py).
    "bulletin": N_("%(title)s has been published: it was emailed to you and can be downloaded from the dashboard."),
    # About an account, not a ticket (notify_account).
    "account_locked": N_(
        "Your account was locked at %(at)s after %(failures)s failed logins; it unlocks by itself at %(until)s. "
        "If that was not you, tell an administrator and change your password."
    ),
    "user_locked": N_(
        "The account %(account)s was locked at %(at)s after %(failures)s failed logins (until %(until)s). "
        "You can unlock it on its user page."
    ),
}
SUBJECTS = {
    "assigned": N_("New ticket assigned: %(number)s"),
    "urged": N_("Urged: %(number)s"),
    "resolved": N_("Resolved: %(number)s"),
    "reopened": N_("Reopened: %(number)s"),
    "reopened_on_callback": N_("Reopened after a callback: %(number)s"),
    "info_requested": N_("Information requested: %(number)s"),
    "escalated": N_("Escalated: %(number)s"),
    "warning": N_("Deadline warnings"),
    "test": N_("Test message"),
    "account_locked": N_("Your account has been locked"),
    "user_locked": N_("Account locked: %(account)s"),
}
# What a department's or a jurisdiction's group reads (one message per event, not one per person).
ROBOT_MESSAGES = {
    "assigned": N_("Ticket %(number)s “%(title)s” has been assigned to %(assignee)s."),
    "escalated": N_(
        "Ticket %(number)s “%(title)s” has been escalated to %(jurisdiction)s and assigned to %(assignee)s."
    ),
    "urged": N_("Ticket %(number)s “%(title)s” has been urged by a supervisor (督办); %(assignee)s, please act on it."),
    "reopened": N_("Ticket %(number)s “%(title)s” was reopened by the enterprise: %(note)s"),
    "warning": N_("Ticket %(number)s “%(title)s” is now %(colour)s."),
    "test": N_("A test message from the helpdesk: this group robot works."),
}
# The SMS of the sweep's digest: a count and the numbers, not every line.
DIGEST_SMS = N_("%(count)s of your tickets have new deadline warnings: %(numbers)s")
NOBODY = N_("the department's queue")
# The colour in a warning, in the recipient's words.
COLOURS = {"green": N_("green"), "yellow": N_("yellow"), "orange": N_("orange"), "red": N_("red")}


def render(template: str, locale: str, params: dict) -> str:
    """`template` with `params`, in `locale` (a colour is put into that language as well)."""
    translations = catalog(locale)
    colour = params.get("colour")
    if colour in COLOURS:
        params = {**params, "colour": translate(translations, COLOURS[colour])}
    if params.get("assignee") is None and "assignee" in params:
        params = {**params, "assignee": translate(translations, NOBODY)}
    return translate(translations, template, **params)


def group_locale() -> str:
    """The language of group robots' messages."""
    return current_app.config.get("DEFAULT_LOCALE", "zh_CN")
