"""`flask backup PATH`, `flask restore PATH` (into an empty database), `flask restore --check PATH`."""

import click
from flask.cli import with_appcontext

from helpdesk.backups.services import BackupError, create_backup, restore_backup, verify_backup


def _summary(manifest) -> str:
    rows = sum(manifest.counts.values())
    files = sum(1 for name in manifest.files if name.startswith("uploads/"))
    return (
        f"{manifest.dialect} database at revision {manifest.revision or 'unknown'}, {rows} rows in "
        f"{len(manifest.counts)} tables, {files} attachment files, taken {manifest.created_at}"
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Write a consistent backup of the database and the attachments to PATH (a .tar.gz)."""
    try:
        manifest = create_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up to {path}: {_summary(manifest)}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Only verify the archive against its manifest; change nothing.")
@with_appcontext
def restore_command(path: str, check: bool) -> None:
    """Restore the backup at PATH into this (empty) database and upload folder."""
    try:
        manifest = verify_backup(path) if check else restore_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'Verified' if check else 'Restored'} {path}: {_summary(manifest)}.")
