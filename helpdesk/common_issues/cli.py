"""`flask similarity reindex`: rebuild the similarity index of common issues from every ticket's text."""

import click
from flask.cli import AppGroup

from helpdesk.common_issues.indexing import reindex

similarity_cli = AppGroup("similarity", help="The similarity index of common issues (共性问题).")


@similarity_cli.command("reindex")
def reindex_command() -> None:
    """Recompute every ticket's terms, the df and the neighbour edges (e.g. monthly, as the corpus grows)."""
    tickets, edges = reindex(echo=click.echo)
    click.echo(f"{tickets} tickets indexed, {edges} neighbour edges")
