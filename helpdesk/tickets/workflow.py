"""The workflow of PRODUCT.md §3 as one table: every fact of an action in its row.

A row says from which statuses to which the action goes, who may take it, what it needs, what it does
(its handler in actions.py), whether enterprise users see it in the history, who hears of it, and how
people see it (label, note label, button). Every action goes through `guard()`; walking this table is
the workflow test. Adding an action is one row and its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from helpdesk.auth.models import Role, User
from helpdesk.errors import InvalidTransition, NotAllowed, Term, ValidationFailed
from helpdesk.jurisdictions.scope import NOTHING, Scope
from helpdesk.labels import PARTY_LABELS, STATUS_LABELS
from helpdesk.tickets import actions
from helpdesk.tickets.models import OPEN_STATUSES, Status, Ticket


class Party(StrEnum):
    """How the acting user relates to the ticket."""

    ASSIGNEE = "assignee"  # the cadre handling it
    ENTERPRISE = "enterprise"  # a user of the ticket's enterprise
    SUPERVISOR = "supervisor"  # a supervisor whose subtree holds the enterprise
    ADMIN = "admin"
    SYSTEM = "system"  # the periodic sweep
    LEAD = "lead"  # a cadre of the lead department of the ticket's common issue (共性问题牵头单位)


class Audience(StrEnum):
    """Who is notified after an action."""

    ASSIGNEE = "assignee"  # the cadre now handling the ticket
    ENTERPRISE = "enterprise"  # every user of the ticket's enterprise


@dataclass(frozen=True)
class Notice:
    kind: str  # a message of notifications/services.py MESSAGES
    audience: Audience


@dataclass(frozen=True)
class Transition:
    action: str
    from_statuses: frozenset[Status]
    to_status: Status | None  # None: the status does not change
    who: frozenset[Party]
    handler: Callable
    label: object  # a lazy translation
    needs_note: bool = False
    needs: tuple[str, ...] = ()  # other required fields: department_id, assignee_id, rating, days
    note_label: object | None = None  # what the note is called on the action's form
    internal: bool = False  # a government-internal step: hidden from enterprise users in the history
    routes: bool = False  # the handler routes the ticket and so sets the status itself
    notice: Notice | None = None
    style: str = "secondary"  # the action's button on the ticket page (Bootstrap)
    offered: bool = True  # False: only another service takes it (a callback's reopen), never a page or the API


P = Party
S = Status
OPEN = frozenset(OPEN_STATUSES)
TO_ASSIGNEE = Audience.ASSIGNEE
TO_ENTERPRISE = Audience.ENTERPRISE

# fmt: off
ROWS = (
    Transition(
        "accept", frozenset({S.ASSIGNED}), S.IN_PROGRESS, frozenset({P.ASSIGNEE}), actions.accept,
        _l("Accept"), style="primary",
    ),  # 签收
    Transition(
        "assign", OPEN, S.ASSIGNED, frozenset({P.SUPERVISOR, P.ADMIN}), actions.assign, _l("Assign"),
        needs=("assignee_id",), routes=True, notice=Notice("assigned", TO_ASSIGNEE), style="primary",
    ),  # 交办
    Transition(
        "transfer", OPEN, S.ASSIGNED, frozenset({P.ASSIGNEE, P.SUPERVISOR}), actions.transfer, _l("Transfer"),
        needs_note=True, needs=("department_id",), note_label=_l("Reason for the transfer"), routes=True,
        notice=Notice("assigned", TO_ASSIGNEE), style="outline-secondary",
    ),  # 转办
    Transition(
        "escalate", OPEN, S.ASSIGNED, frozenset({P.ASSIGNEE, P.SUPERVISOR}), actions.escalate, _l("Escalate"),
        note_label=_l("Reason (optional)"), routes=True, notice=Notice("assigned", TO_ASSIGNEE),
        style="outline-warning",
    ),  # 上报
    Transition(
        "request_info", frozenset({S.IN_PROGRESS}), S.AWAITING_ENTERPRISE, frozenset({P.ASSIGNEE}),
        actions.request_info, _l("Request information"), needs_note=True,
        note_label=_l("Question for the enterprise"), notice=Notice("info_requested", TO_ENTERPRISE),
        style="outline-primary",
    ),
    Transition(
        "provide_info", frozenset({S.AWAITING_ENTERPRISE}), S.IN_PROGRESS, frozenset({P.ENTERPRISE}),
        actions.nothing, _l("Provide information"), needs_note=True, note_label=_l("Your answer"), style="primary",
    ),
    Transition(
        "add_cohandler", OPEN, None, frozenset({P.ASSIGNEE, P.SUPERVISOR}), actions.add_cohandler,
        _l("Add co-handling department"), needs=("department_id",), internal=True, style="outline-secondary",
    ),  # 协办
    Transition(
        "resolve", frozenset({S.IN_PROGRESS}), S.RESOLVED, frozenset({P.ASSIGNEE}), actions.resolve, _l("Resolve"),
        needs_note=True, note_label=_l("Resolution"), notice=Notice("resolved", TO_ENTERPRISE), style="success",
    ),  # 办结
    Transition(
        "confirm", frozenset({S.RESOLVED}), S.CLOSED, frozenset({P.ENTERPRISE}), actions.confirm,
        _l("Confirm and rate"), needs=("rating",), note_label=_l("Comment (optional)"), style="success",
    ),  # 销号
    Transition(
        "reopen", frozenset({S.RESOLVED}), S.IN_PROGRESS, frozenset({P.ENTERPRISE}), actions.reopen, _l("Reopen"),
        needs_note=True, note_label=_l("Why is it not solved?"), notice=Notice("reopened", TO_ASSIGNEE),
        style="warning",
    ),  # 重办
    Transition(
        "withdraw", OPEN, S.WITHDRAWN, frozenset({P.ENTERPRISE}), actions.nothing, _l("Withdraw"),
        needs_note=True, note_label=_l("Reason for withdrawing"), style="outline-danger",
    ),
    Transition(
        "decline", OPEN, S.DECLINED, frozenset({P.SUPERVISOR}), actions.nothing, _l("Decline"), needs_note=True,
        note_label=_l("Reason for declining (shown to the enterprise)"), style="outline-danger",
    ),
    Transition(
        "urge", OPEN, None, frozenset({P.SUPERVISOR}), actions.urge, _l("Urge"), internal=True,
        notice=Notice("urged", TO_ASSIGNEE), style="warning",
    ),  # 督办
    Transition(
        "extend", OPEN, None, frozenset({P.SUPERVISOR}), actions.extend, _l("Extend the deadline"), needs_note=True,
        needs=("days",), note_label=_l("Reason for the extension"), style="outline-warning",
    ),  # 延期
    Transition(
        "auto_close", frozenset({S.RESOLVED}), S.CLOSED, frozenset({P.SYSTEM}), actions.auto_close,
        _l("Closed automatically"),
    ),
    Transition(
        "reopen_on_callback", frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS, frozenset({P.SUPERVISOR, P.ADMIN}),
        actions.reopen_on_callback, _l("Reopened after a callback"), needs_note=True,
        note_label=_l("What is still not solved?"), notice=Notice("reopened_on_callback", TO_ASSIGNEE),
        style="warning", offered=False,
    ),  # 回访未解决，重办: taken by callbacks/services.py
    Transition(
        "resolve_common", OPEN, S.RESOLVED, frozenset({P.LEAD, P.SUPERVISOR, P.ADMIN}), actions.resolve,
        _l("Resolved with its common issue"), needs_note=True, note_label=_l("Resolution"),
        notice=Notice("resolved", TO_ENTERPRISE), style="success", offered=False,
    ),  # 共性问题统一办结: taken by common_issues/services.py for each linked open ticket
)
# fmt: on

TRANSITIONS: dict[str, Transition] = {t.action: t for t in ROWS}

# Actions a person may ask for through the pages or the API (auto_close belongs to the sweep, the callback's
# reopen to the callback service).
USER_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if Party.SYSTEM not in t.who and t.offered)
# Actions whose `note` must not be empty (the reason, question, answer or resolution).
NOTE_ACTIONS = tuple(a for a in USER_ACTIONS if TRANSITIONS[a].needs_note)

# What each event of the history is called: the filing, then every action.
EVENT_LABELS = {
    "file": _l("Filed"),
    **{a: t.label for a, t in TRANSITIONS.items()},
    "callback": _l("Callback"),
    "common_issue_linked": _l("Joined a common issue"),  # 已并入共性问题
    "common_issue_unlinked": _l("Left a common issue"),  # 移出共性问题
}
DEFAULT_NOTE_LABEL = _l("Note (optional)")


def parties(user: User | None, ticket: Ticket, supervised: Scope = NOTHING) -> set[Party]:
    """Every way `user` relates to `ticket`; `supervised` is what the user supervises (jurisdictions/scope.py)."""
    if user is None:
        return {Party.SYSTEM}
    found: set[Party] = set()
    if user.role == Role.CADRE and ticket.assignee_id == user.id:
        found.add(Party.ASSIGNEE)
    if user.role == Role.ENTERPRISE and ticket.enterprise_id == user.enterprise_id:
        found.add(Party.ENTERPRISE)
    if user.role == Role.SUPERVISOR and ticket.jurisdiction_id in supervised:
        found.add(Party.SUPERVISOR)
    if user.role == Role.ADMIN:
        found.add(Party.ADMIN)
    if user.role == Role.CADRE and ticket.common_issue_id is not None:
        issue = ticket.common_issue
        if issue is not None and issue.lead_department_id == user.department_id:
            found.add(Party.LEAD)
    return found


def guard(action: str, ticket: Ticket, acting_as: set[Party], version: int | None) -> Transition:
    """The transition for this action, or the domain error that refuses it (nothing is written)."""
    transition = TRANSITIONS.get(action)
    if transition is None or (Party.SYSTEM in transition.who and Party.SYSTEM not in acting_as):
        raise ValidationFailed("Unknown action %(action)r.", field="action", action=action)
    # A stale version is checked first: whoever acted on an old page gets "it changed, reload",
    # even when the change (a transfer, say) also took the ticket out of their hands.
    if version is not None and version != ticket.version:
        raise InvalidTransition(
            "The ticket has changed since you loaded it (version %(version)s, now %(current)s). Reload it.",
            version=version,
            current=ticket.version,
        )
    # The English sentence (the API's) names parties, actions and statuses by their values; a page in
    # another language by their labels (errors.Term).
    verb = Term(action.replace("_", " "), EVENT_LABELS[action])
    if not acting_as & transition.who:
        raise NotAllowed(
            "Only the %(who)s may %(action)s this ticket.",
            who=Term.either([Term(p.value, PARTY_LABELS[p.value]) for p in sorted(transition.who)]),
            action=verb,
        )
    if ticket.status not in transition.from_statuses:
        status = Term(ticket.status, STATUS_LABELS.get(ticket.status, ticket.status))
        raise InvalidTransition("Cannot %(action)s a ticket that is %(status)s.", action=verb, status=status)
    return transition
