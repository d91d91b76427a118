"""Backups (数据备份恢复, PRODUCT.md §13): one tar.gz with a consistent copy of the database, the attachments
and a manifest; restored only into an empty database.

- SQLite: the online backup API copies the live database page by page (a consistent copy while it is in use).
- PostgreSQL: `pg_dump -Fc` inside a REPEATABLE READ transaction whose snapshot it shares (--snapshot), so
  the row counts of the manifest describe exactly the dumped data; `pg_restore` brings it back.
- The manifest (manifest.json, first in the archive) holds the format, the time, the database kind, the
  schema revision (Alembic), the rows of every table and the SHA-256 of every other member; `verify_backup`
  checks them all, and `restore_backup` verifies before it touches anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import create_engine, inspect, text

from helpdesk.db import utcnow
from helpdesk.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
POSTGRES_MEMBER = "database.dump"
UPLOADS = "uploads"
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """A backup that cannot be written, verified or restored; the message says why."""


@dataclass
class Manifest:
    created_at: str
    dialect: str
    revision: str | None
    counts: dict[str, int]
    files: dict[str, str]  # member name → SHA-256
    format: int = FORMAT

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "created_at": self.created_at,
            "dialect": self.dialect,
            "revision": self.revision,
            "counts": self.counts,
            "files": self.files,
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _table_names() -> list[str]:
    return sorted(t.name for t in db.metadata.sorted_tables)


def _counts(conn) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {
        name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
        for name in _table_names()
        if name in present
    }


def _revision(conn) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _libpq(url) -> tuple[str, dict]:
    """A libpq URL without the password (which goes in PGPASSWORD, not on a command line `ps` shows)."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL's client programs are needed for backups).")
    return found


def _dump_database(work: Path) -> tuple[Path, dict[str, int], str | None]:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        target = work / SQLITE_MEMBER
        raw = engine.raw_connection()
        try:
            copy = sqlite3.connect(target)
            try:
                raw.driver_connection.backup(copy)
            finally:
                copy.close()
        finally:
            raw.close()
        copy_engine = create_engine(f"sqlite:///{target}")  # counted in the copy: exactly what was saved
        try:
            with copy_engine.connect() as conn:
                counts, revision = _counts(conn), _revision(conn)
        finally:
            copy_engine.dispose()
        return target, counts, revision
    if engine.dialect.name == "postgresql":
        target = work / POSTGRES_MEMBER
        url, env = _libpq(engine.url)
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts, revision = _counts(conn), _revision(conn)
            result = subprocess.run(
                [
                    _tool("pg_dump"),
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(target),
                    url,
                ],
                env=env,
                capture_output=True,
                text=True,
            )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return target, counts, revision
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine.dialect.name}.")


def _upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def create_backup(path: str | os.PathLike, now: datetime | None = None) -> Manifest:
    """Write a backup archive at `path` (written beside it, then moved into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="helpdesk-backup-") as tmp:
        work = Path(tmp)
        dump, counts, revision = _dump_database(work)
        members: list[tuple[str, Path]] = [(dump.name, dump)]
        uploads = _upload_folder()
        if uploads.is_dir():
            for file in sorted(p for p in uploads.rglob("*") if p.is_file() and not p.name.startswith(".upload-")):
                members.append((str(PurePosixPath(UPLOADS, *file.relative_to(uploads).parts)), file))
        manifest = Manifest(
            created_at=(now or utcnow()).isoformat(),
            dialect=db.engine.dialect.name,
            revision=revision,
            counts=counts,
            files={name: _sha256(file) for name, file in members},
        )
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest.as_dict(), indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int((now or utcnow()).timestamp())
            archive.addfile(info, io.BytesIO(data))
            for name, file in members:
                archive.add(file, arcname=name, recursive=False)
        os.replace(partial, path)
    return manifest


def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def verify_backup(path: str | os.PathLike) -> Manifest:
    """Read the manifest and check every member against it: BackupError on any difference."""
    try:
        archive = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"Not a readable backup archive: {exc}") from exc
    with archive:
        try:
            data = json.load(archive.extractfile(MANIFEST))
            manifest = Manifest(
                **{k: data[k] for k in ("created_at", "dialect", "revision", "counts", "files", "format")}
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError("The archive has no valid manifest.json.") from exc
        if manifest.format != FORMAT:
            raise BackupError(f"Backup format {manifest.format} is not known to this version (expects {FORMAT}).")
        seen = {}
        for member in archive.getmembers():
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_member(member.name):
                raise BackupError(f"Unexpected member in the archive: {member.name}")
            digest = hashlib.sha256()
            handle = archive.extractfile(member)
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
            seen[member.name] = digest.hexdigest()
    if seen != manifest.files:
        bad = sorted(set(seen) ^ set(manifest.files) | {n for n in seen if seen[n] != manifest.files.get(n)})
        raise BackupError(f"The archive does not match its manifest: {', '.join(bad)}")
    return manifest


def restore_backup(path: str | os.PathLike) -> Manifest:
    """Restore a verified backup into this app's database, which must be empty (no tables), and its
    attachments into UPLOAD_FOLDER, which must hold no files."""
    manifest = verify_backup(path)
    engine = db.engine
    if manifest.dialect != engine.dialect.name:
        raise BackupError(f"This is a {manifest.dialect} backup; the database is {engine.dialect.name}.")
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    if tables:
        raise BackupError(f"The database is not empty ({len(tables)} tables): restore only into a new, empty database.")
    uploads = _upload_folder()
    if uploads.is_dir() and any(p.is_file() for p in uploads.rglob("*")):
        raise BackupError(f"The upload folder {uploads} already holds files: restore into an empty one.")
    with tempfile.TemporaryDirectory(prefix="helpdesk-restore-") as tmp, tarfile.open(path, "r:gz") as archive:
        work = Path(tmp)
        for member in archive.getmembers():
            if member.name == MANIFEST:
                continue
            if member.name.startswith(UPLOADS + "/"):
                target = uploads.joinpath(*PurePosixPath(member.name).parts[1:])
            else:
                target = work / PurePosixPath(member.name).name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
        _load_database(work, manifest)
    with engine.connect() as conn:
        counts = _counts(conn)
    if counts != manifest.counts:
        raise BackupError(f"Restored row counts differ from the manifest: {counts} != {manifest.counts}")
    return manifest


def _load_database(work: Path, manifest: Manifest) -> None:
    engine = db.engine
    engine.dispose()
    if manifest.dialect == "sqlite":
        source = sqlite3.connect(work / SQLITE_MEMBER)
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
            source.close()
        engine.dispose()
        return
    url, env = _libpq(engine.url)
    result = subprocess.run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-d",
            url,
            str(work / POSTGRES_MEMBER),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
