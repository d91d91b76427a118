"""`flask seed [--demo]`."""

import click
from flask.cli import with_appcontext

from helpdesk.extensions import db
from helpdesk.seeding.reference import load_reference_data


@click.command("seed")
@click.option(
    "--demo", is_flag=True, help="Also build the demo world (1,500 cadres, thousands of enterprises, tickets)."
)
@click.option("--if-empty", is_flag=True, help="With --demo: only when the database has no tickets yet.")
@with_appcontext
def seed_command(demo: bool, if_empty: bool) -> None:
    """Load the reference data of seeds/ (idempotent); with --demo, the demo world too."""
    report = load_reference_data()
    db.session.commit()
    click.echo(f"Reference data: {report.summary()}.")
    if demo:
        from helpdesk.seeding.demo import build_demo

        summary = build_demo(only_if_empty=if_empty, progress=True)
        click.echo(summary)
