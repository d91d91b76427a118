"""`flask seed [--demo [--today YYYY-MM-DD]]`."""

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from helpdesk.extensions import db
from helpdesk.seeding.reference import load_reference_data


@click.command("seed")
@click.option(
    "--demo", is_flag=True, help="Also build the demo world (1,500 cadres, thousands of enterprises, tickets)."
)
@click.option("--if-empty", is_flag=True, help="With --demo: only when the database has no tickets yet.")
@click.option(
    "--i-know-this-is-production",
    "production_ok",
    is_flag=True,
    help="With --demo under HELPDESK_ENV=production: build it anyway (its admin has a published password).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --demo: build the world as of 10:00 (Asia/Shanghai) on this day instead of now "
    "(the README's figures are of a build on 2026-12-01).",
)
@with_appcontext
def seed_command(demo: bool, if_empty: bool, production_ok: bool, today: datetime | None) -> None:
    """Load the reference data of seeds/ (idempotent); with --demo, the demo world too."""
    if demo and current_app.config["ENV_NAME"] == "production" and not production_ok:
        raise click.ClickException(
            "Refusing to build the demo world in production: its users, an admin among them, share the published "
            "password demo-2024. Pass --i-know-this-is-production if this really is a demonstration server."
        )
    report = load_reference_data()
    db.session.commit()
    click.echo(f"Reference data: {report.summary()}.")
    if demo:
        from helpdesk.seeding.demo import build_demo
        from helpdesk.seeding.demo_flow import at
        from helpdesk.seeding.demo_story import demo_story

        now = at(today.date(), 10.0) if today else datetime.now().astimezone()
        summary = build_demo(only_if_empty=if_empty, progress=True, now=now)
        click.echo(summary)
        if not summary.skipped:
            click.echo(demo_story(now).summary())
