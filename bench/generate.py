"""Load a benchmark database: the reference data, ~1,500 cadres, ~3,000 enterprises and N tickets.

    python -m bench.generate --database-url postgresql+psycopg://postgres@127.0.0.1/helpdesk_bench --tickets 1000000

The schema comes from the Alembic migrations (`flask db upgrade`), the reference data from seeds/.
Tickets are generated in Python with realistic shapes — two years of filings on working days,
mostly closed and rated, the recent ones still open in every colour, deadlines from the real
working-day calendar — and loaded in bulk: COPY on PostgreSQL (with the secondary indexes of
`tickets` dropped during the load and rebuilt after it), executemany batches on SQLite. No ticket
events are written: the figures and lists being measured do not read them.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from helpdesk.calendar.workdays import SHANGHAI

SEED = 20241231
CADRES = 1500
ENTERPRISES = 3000
YEARS_OF_HISTORY = 2
BENCH_PASSWORD = "bench-password-2024"
BENCH_LOGINS = {
    "admin": "bench-admin@bench.cn",
    "province_supervisor": "bench-province@bench.cn",
    "county_supervisor": "bench-supervisor@bench.cn",  # 川汇区 (411602)
    "cadre": "bench-cadre@bench.cn",  # 川汇区自然资源局, paired with many enterprises
    "enterprise": "bench-enterprise@bench.cn",
}
# How often each category is raised (per mille); policy, utilities and finance lead, as in the campaign.
CATEGORY_WEIGHTS = {
    "policy": 160,
    "land": 70,
    "utilities": 120,
    "finance": 130,
    "labor": 100,
    "approval": 90,
    "infrastructure": 50,
    "technology": 50,
    "market": 60,
    "legal": 40,
    "tax": 60,
    "environment": 40,
    "other": 30,
}
TICKET_COLUMNS = (
    "number",
    "number_prefix",
    "number_year",
    "number_seq",
    "title",
    "description",
    "category_id",
    "priority",
    "status",
    "enterprise_id",
    "jurisdiction_id",
    "handling_jurisdiction_id",
    "department_id",
    "assignee_id",
    "liaison_id",
    "created_by_id",
    "created_at",
    "updated_at",
    "response_due_at",
    "yellow_from",
    "due_at",
    "red_from",
    "paused_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "rating",
    "reopen_count",
    "urge_count",
    "version",
    "routing_reason",
    "notified_warning",
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the database itself -----------------------------------------------------------------------------


def create_database(url: str, recreate: bool) -> None:
    """Create the PostgreSQL database (dropped first when `recreate`), or remove the SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if recreate and path and path != ":memory:" and os.path.exists(path):
            os.remove(path)
        return
    name = parsed.database
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and recreate:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and os.path.exists(parsed.database):
            os.remove(parsed.database)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def make_app(url: str):
    """The real app factory against the bench database (development config: no SECRET_KEY needed)."""
    from helpdesk import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url, NOTIFY_BY_EMAIL=False)


# -- people and companies -----------------------------------------------------------------------------


@dataclass
class World:
    categories: dict[str, object]
    jurisdictions: dict[str, object]
    cadres_by_department: dict[int, list[int]]
    enterprises: list[tuple[int, int, int | None]]  # (id, county id, liaison id)
    routes: dict[tuple[int, int], int]  # (category id, jurisdiction id) → department id
    enterprise_users: dict[int, int]


def build_people(rng: random.Random) -> World:
    """Cadres in every local department, supervisors, the bench logins, enterprises paired with cadres."""
    from helpdesk.extensions import db
    from helpdesk.jurisdictions.models import Category, Jurisdiction, Level
    from helpdesk.seeding.people import Logins
    from helpdesk.seeding.people import build_people as insert_people
    from helpdesk.tickets.routing import choose_department

    logins = Logins(
        domain="bench.cn",
        cadre=BENCH_LOGINS["cadre"],
        enterprise=BENCH_LOGINS["enterprise"],
        admin=BENCH_LOGINS["admin"],
        supervisors={
            "410000": (BENCH_LOGINS["province_supervisor"], "省督查室"),
            "411602": (BENCH_LOGINS["county_supervisor"], "川汇区督查室"),
        },
    )
    # Every tenth company of 川汇区 is paired with the bench cadre, so its queue is a real one.
    people = insert_people(
        rng,
        logins,
        password=BENCH_PASSWORD,
        cadres=CADRES,
        enterprises=ENTERPRISES,
        digits=5,
        paired_with_login_cadre=lambda i, county: county.code == "411602" and i % 100 < 10,
    )
    jurisdictions = {j.code: j for j in db.session.scalars(select(Jurisdiction))}
    cadres_by_department = people.cadres_by_department
    enterprises = people.enterprises
    enterprise_users = people.enterprise_users

    categories = {c.code: c for c in db.session.scalars(select(Category))}
    routes = {}
    for category in categories.values():
        for j in jurisdictions.values():
            if j.level != Level.PROVINCE:
                routes[(category.id, j.id)] = choose_department(category, j)[0].id
    db.session.commit()
    return World(categories, jurisdictions, dict(cadres_by_department), enterprises, routes, enterprise_users)


# -- tickets ---------------------------------------------------------------------------------------------


def ticket_rows(world: World, count: int, now: datetime, rng: random.Random):
    """Yield `count` ticket tuples (TICKET_COLUMNS order), oldest first, filed on working days."""
    from helpdesk.calendar.services import get_calendar
    from helpdesk.seeding.demo_text import TEXTS
    from helpdesk.tickets.deadlines import initial_thresholds

    cal = get_calendar()
    today = now.astimezone(SHANGHAI).date()
    first = date(today.year - YEARS_OF_HISTORY, today.month, 1)
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    days = [d for d in days if cal.is_workday(d)]
    day_start = [datetime.combine(d, clock(0), tzinfo=SHANGHAI).astimezone(UTC) for d in days]
    last = len(days) - 1
    city = world.jurisdictions["411600"]
    codes = list(CATEGORY_WEIGHTS)
    cats = [world.categories[c] for c in codes]
    cat_weights = list(CATEGORY_WEIGHTS.values())
    texts = {
        c.id: [(TEXTS[c.code][0].format(b), TEXTS[c.code][1].format(b) * 3) for b in TEXTS[c.code][2]] for c in cats
    }
    thresholds: dict[tuple[int, int], object] = {}
    reasons: dict[tuple[int, int], str] = {}
    seq: dict[int, int] = defaultdict(int)
    ratings = ("satisfied", "basically_satisfied", "dissatisfied")

    def later(index: int, working_days: int, low: float = 8.5, high: float = 17.5) -> datetime:
        """A moment on the working day `working_days` after days[index], never after now."""
        moment = day_start[min(index + working_days, last)] + timedelta(hours=rng.uniform(low, high))
        return min(moment, now - timedelta(minutes=1))

    # Filing days drawn uniformly over the working days of the period, then sorted: numbers run in time order.
    day_indexes = sorted(rng.randrange(len(days)) for _ in range(count))
    for i in day_indexes:
        created = min(day_start[i] + timedelta(hours=rng.uniform(8.5, 17.5)), now - timedelta(minutes=5))
        age = last - i  # working days since filing
        category = rng.choices(cats, cat_weights)[0]
        enterprise_id, county_id, liaison_id = world.enterprises[rng.randrange(len(world.enterprises))]
        handling = county_id
        if rng.random() < 0.03:  # escalated to the city (上报)
            handling = city.id
        department_id = world.routes[(category.id, handling)]
        staff = world.cadres_by_department.get(department_id, ())
        if liaison_id in staff:
            assignee = liaison_id
        else:
            assignee = staff[rng.randrange(len(staff))] if staff else None
        key = (i, category.id)
        if key not in thresholds:
            thresholds[key] = initial_thresholds(
                cal, day_start[i] + timedelta(hours=12), category.response_days, category.resolution_days, 3
            )
        limits = thresholds[key]
        limit = category.resolution_days

        roll = rng.random()
        first_response = resolved = closed = rating = paused = None
        reopen = 1 if rng.random() < 0.03 else 0
        if age > 40:  # settled long ago
            if roll < 0.953:
                status = "closed"
            elif roll < 0.973:
                status = "withdrawn"
            elif roll < 0.988:
                status = "declined"
            elif roll < 0.997:
                status = "resolved" if age < 60 else "closed"
            else:
                status = "in_progress"  # the stubborn few: red
        else:
            done = min(0.95, age / (limit + 2))
            if roll < done:
                status = "closed" if age > 6 and rng.random() < 0.9 else "resolved"
            elif roll < done + 0.03:
                status = rng.choice(("withdrawn", "declined"))
            else:
                status = rng.choices(("submitted", "assigned", "in_progress", "awaiting_enterprise"), (2, 25, 65, 8))[0]
        if assignee is None and status in ("assigned", "in_progress", "awaiting_enterprise"):
            status = "submitted"
        if status in ("in_progress", "awaiting_enterprise", "resolved", "closed"):
            late_answer = rng.random() < 0.05
            first_response = later(i, category.response_days + (1 if late_answer else 0), 8.5, 17.5)
            if not late_answer:
                first_response = min(first_response, limits.response_due_at - timedelta(minutes=rng.randint(1, 300)))
            first_response = max(first_response, created + timedelta(minutes=10))
        if status in ("resolved", "closed"):
            took = limit + rng.randint(1, 4) if rng.random() < 0.08 else rng.randint(1, max(1, limit - 1))
            resolved = max(later(i, min(took, age)), first_response)
            if status == "closed":
                closed = min(resolved + timedelta(days=rng.uniform(0.1, 5)), now - timedelta(minutes=1))
                if rng.random() < 0.9:
                    rating = rng.choices(ratings, (85, 12, 3))[0]
        if status == "awaiting_enterprise":
            paused = max(first_response, now - timedelta(days=rng.uniform(0.1, 3)))
        if status in ("in_progress", "assigned") and rng.random() < 0.02:
            reopen = 2
        if status in ("withdrawn", "declined", "submitted"):
            assignee = assignee if status != "submitted" else None
        year = created.astimezone(SHANGHAI).year
        seq[year] += 1
        n = seq[year]
        title, description = rng.choice(texts[category.id])
        reason_key = (category.id, department_id)
        if reason_key not in reasons:
            reasons[reason_key] = f"category {category.code} → department #{department_id} by rule"
        updated = closed or resolved or first_response or created
        yield (
            f"ZK-{year}-{n:06d}",
            "ZK",
            year,
            n,
            title,
            description,
            category.id,
            "urgent" if rng.random() < 0.1 else "normal",
            status,
            enterprise_id,
            county_id,
            handling,
            department_id,
            assignee,
            liaison_id,
            world.enterprise_users.get(enterprise_id),
            created,
            updated,
            limits.response_due_at,
            limits.yellow_from,
            limits.due_at,
            limits.red_from,
            paused,
            first_response,
            resolved,
            closed,
            rating,
            reopen,
            1 if rng.random() < 0.05 else 0,
            1 + rng.randrange(5),
            reasons[reason_key],
            None,
        )


def _postgres_load(rows, count: int) -> None:
    """COPY into tickets, with its secondary indexes dropped during the load and rebuilt after it."""
    from helpdesk.extensions import db

    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets' AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = 'tickets'::regclass)"
            )
            indexes = cur.fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            # Foreign keys are checked by triggers, row by row; the generator only writes ids it has read.
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET synchronous_commit = off")
            started, done = time.perf_counter(), 0
            with cur.copy(f"COPY tickets ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if done % 200_000 == 0:
                        log(f"  {done:,} / {count:,} tickets copied ({time.perf_counter() - started:.0f} s)")
            cur.execute("SET session_replication_role = DEFAULT")
            conn.commit()
            started = time.perf_counter()
            cur.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cur.execute(definition)
            conn.commit()
            log(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - started:.1f} s")
    finally:
        raw.close()


def _sqlite_load(rows, count: int) -> None:
    from helpdesk.extensions import db
    from helpdesk.tickets.models import Ticket

    batch: list[dict] = []
    done = 0
    for row in rows:
        batch.append(dict(zip(TICKET_COLUMNS, row)))
        if len(batch) == 20_000:
            db.session.execute(insert(Ticket.__table__), batch)
            done += len(batch)
            batch.clear()
            if done % 200_000 == 0:
                log(f"  {done:,} / {count:,} tickets inserted")
    if batch:
        db.session.execute(insert(Ticket.__table__), batch)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def vacuum(url: str) -> None:
    """VACUUM ANALYZE once every other connection of ours is closed.

    Vacuum marks pages all-visible (index-only scans skip the heap for those) only when no open
    transaction of the same database could still need an older version, so it comes last, on its
    own connection, as autovacuum would do it some time after a bulk load.
    """
    if make_url(url).get_backend_name() != "postgresql":
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()


def finish(now: datetime) -> None:
    """Ticket numbers continue after the loaded ones; each cadre's open count matches its tickets."""
    from helpdesk.auth.models import User
    from helpdesk.extensions import db
    from helpdesk.tickets.models import OPEN_STATUSES, Ticket, TicketSequence

    for prefix, year, last in db.session.execute(
        select(Ticket.number_prefix, Ticket.number_year, func.max(Ticket.number_seq)).group_by(
            Ticket.number_prefix, Ticket.number_year
        )
    ):
        db.session.add(TicketSequence(prefix=prefix, year=year, last_value=last))
    open_count = (
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.assignee_id == User.id, Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        .scalar_subquery()
    )
    db.session.execute(update(User).where(User.role == "cadre").values(open_tickets=open_count))
    db.session.commit()


def generate(url: str, tickets: int, recreate: bool = True, seed: int = SEED) -> dict:
    """Create and fill the database; returns the timings in seconds."""
    from flask_migrate import upgrade

    from helpdesk.extensions import db
    from helpdesk.reports import rollup
    from helpdesk.seeding.reference import load_reference_data
    from helpdesk.tickets import counts

    timings = {}
    started = time.perf_counter()
    create_database(url, recreate)
    app = make_app(url)
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        timings["schema and reference data"] = time.perf_counter() - started
        step = time.perf_counter()
        rng = random.Random(seed)
        world = build_people(rng)
        timings["people and enterprises"] = time.perf_counter() - step
        step = time.perf_counter()
        now = datetime.now(UTC)
        rows = ticket_rows(world, tickets, now, rng)
        if db.engine.dialect.name == "postgresql":
            _postgres_load(rows, tickets)
        else:
            _sqlite_load(rows, tickets)
        for counted in (rollup, counts):  # the PostgreSQL load bypassed their triggers
            counted.rebuild(db.session.connection())
        finish(now)
        timings["tickets"] = time.perf_counter() - step
        db.session.remove()
        db.engine.dispose()
    vacuum(url)
    timings["total"] = time.perf_counter() - started
    return timings


def parse_count(value: str) -> int:
    value = value.strip().lower().replace("_", "").replace(",", "")
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if value.endswith(suffix):
            return int(float(value[:-1]) * factor)
    return int(value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/helpdesk_bench")
    parser.add_argument("--tickets", type=parse_count, default=1_000_000, help="e.g. 10k, 100k, 1m")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep-existing", action="store_true", help="do not drop an existing database first")
    args = parser.parse_args(argv)
    timings = generate(args.database_url, args.tickets, recreate=not args.keep_existing, seed=args.seed)
    for step, seconds in timings.items():
        print(f"{step}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
