"""The figures of PRODUCT.md §6 from counts: small pure functions, kept apart from the SQL that counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, Decimal

from helpdesk.tickets.models import Status

GROUPS = ("jurisdiction", "department", "cadre", "category", "month", "week")
WARNINGS = ("green", "yellow", "orange", "red", "awaiting")
# Withdrawn and declined tickets leave the denominator of every rate (§6 "eligible").
EXCLUDED = (Status.WITHDRAWN.value, Status.DECLINED.value)
# 基本满意 counts nine tenths of 满意: the 12345 hotlines' convention.
BASICALLY_SATISFIED_WEIGHT = Decimal("0.9")
SCORED_RATES = ("response_rate", "completion_rate", "satisfaction_rate")


@dataclass
class Counts:
    """The raw conditional sums behind one set of figures; they add up across rows."""

    total: int = 0
    excluded: int = 0
    completed: int = 0
    closed: int = 0
    on_time: int = 0
    responded_on_time: int = 0
    response_due: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    rated: int = 0
    called_back: int = 0  # completed tickets with at least one callback (回访)
    reached: int = 0  # tickets whose callback reached the company
    verified_solved: int = 0  # … and found it really solved (真解决)
    green: int = 0
    yellow: int = 0
    orange: int = 0
    red: int = 0
    awaiting: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in COUNT_NAMES})


COUNT_NAMES = tuple(Counts.__dataclass_fields__)


@dataclass
class Figures:
    """The §6 figures of one scope or one row."""

    total: int
    eligible: int
    completed: int
    closed: int
    completion_rate: float | None
    closed_rate: float | None
    on_time_rate: float | None
    response_rate: float | None
    satisfaction_rate: float | None
    open_by_warning: dict[str, int] = field(default_factory=dict)  # green, yellow, orange, red, awaiting
    gap_to_target: int = 0
    meets_target: bool | None = None
    score: float | None = None
    callback_rate: float | None = None  # called back / completed
    verified_solved_rate: float | None = None  # really solved / reached

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Row:
    """One group of a report: a child jurisdiction, a department, a cadre, a category, a month or a week."""

    key: int | str | None
    label: str
    figures: Figures

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **self.figures.as_dict()}


@dataclass(frozen=True)
class ReportScope:
    """What a report covers, as asked: the jurisdiction subtree (None: all the viewer may see), the
    department, cadre and category, and the filing period [date_from, date_to) — for the exports' title."""

    jurisdiction_id: int | None = None
    department_id: int | None = None
    cadre_id: int | None = None
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Report:
    target: float
    as_of: datetime
    overall: Figures
    rows: list[Row]
    group_by: str | None = None
    scope: ReportScope = field(default_factory=ReportScope)

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "as_of": self.as_of.astimezone(UTC).isoformat(),
            "overall": self.overall.as_dict(),
            "rows": [row.as_dict() for row in self.rows],
        }


# -- figures from counts ----------------------------------------------------------------------------


def _rate(numerator: int | Decimal, denominator: int) -> float | None:
    return float(Decimal(numerator) / Decimal(denominator)) if denominator else None


def gap_to_target(target: float, eligible: int, completed: int) -> int:
    """max(0, ⌈target × eligible⌉ − completed), in decimal: 0.99 × 626 is 619.74, never 619.7400000001."""
    needed = (Decimal(str(target)) * eligible).to_integral_value(rounding=ROUND_CEILING)
    return max(0, int(needed) - completed)


def score(rates: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """综合成绩: 100 × Σ wᵢ·rateᵢ / Σ wᵢ over the rates that are not null; null when none is."""
    present = [(float(weights.get(name, 0)), rates[name]) for name in SCORED_RATES if rates[name] is not None]
    total_weight = sum(weight for weight, _ in present)
    if not present or total_weight <= 0:
        return None
    return 100 * sum(weight * rate for weight, rate in present) / total_weight


def figures_from(counts: Counts, target: float, weights: dict[str, float]) -> Figures:
    eligible = counts.total - counts.excluded
    satisfaction = counts.satisfied + BASICALLY_SATISFIED_WEIGHT * counts.basically_satisfied
    rates = {
        "completion_rate": _rate(counts.completed, eligible),
        "closed_rate": _rate(counts.closed, eligible),
        "on_time_rate": _rate(counts.on_time, counts.completed),
        "response_rate": _rate(counts.responded_on_time, counts.response_due),
        "satisfaction_rate": _rate(satisfaction, counts.rated),
    }
    gap = gap_to_target(target, eligible, counts.completed)
    return Figures(
        total=counts.total,
        eligible=eligible,
        completed=counts.completed,
        closed=counts.closed,
        **rates,
        open_by_warning={name: getattr(counts, name) for name in WARNINGS},
        gap_to_target=gap,
        # completed ≥ target × eligible exactly when no completion is missing (completed is whole).
        meets_target=None if rates["completion_rate"] is None else gap == 0,
        score=score(rates, weights),
        callback_rate=_rate(counts.called_back, counts.completed),
        verified_solved_rate=_rate(counts.verified_solved, counts.reached),
    )
