"""`flask seed [--demo]`."""

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
@with_appcontext
def seed_command(demo: bool, if_empty: bool, production_ok: bool) -> None:
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

        summary = build_demo(only_if_empty=if_empty, progress=True)
        click.echo(summary)
