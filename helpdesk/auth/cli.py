"""`flask users create`."""

import click
from flask.cli import AppGroup

from helpdesk.auth.services import create_user
from helpdesk.errors import DomainError
from helpdesk.extensions import db

users_cli = AppGroup("users", help="Manage users.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["enterprise", "cadre", "supervisor", "admin"]))
@click.option("--password", required=True)
@click.option("--enterprise-id", type=int)
@click.option("--department-id", type=int)
@click.option("--jurisdiction-id", type=int)
@click.option("--locale", default="zh_CN", type=click.Choice(["zh_CN", "en"]))
def create(email, name, role, password, enterprise_id, department_id, jurisdiction_id, locale):
    """Create a user; fails with a message and exit status 1 when the email exists."""
    try:
        user = create_user(
            email=email,
            name=name,
            password=password,
            role=role,
            enterprise_id=enterprise_id,
            department_id=department_id,
            jurisdiction_id=jurisdiction_id,
            locale=locale,
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
