"""Packaging (issue 12, point 8): every data folder of the package is declared, so `pip install -e .` and
`pip wheel .` print no "Package would be ignored" banner and the wheel carries the static files, the API
docs' template and the catalogs; an sdist carries what the app reads from the checkout's root."""

from __future__ import annotations

import configparser
import fnmatch
from pathlib import Path

from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parents[1]


def _setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return config


def _listed(value: str) -> list[str]:
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]


def test_every_folder_of_the_package_is_a_declared_package():
    config = _setup_cfg()
    assert config["options"]["packages"].strip() == "find_namespace:"
    found = set(
        find_namespace_packages(
            str(ROOT),
            include=_listed(config["options.packages.find"]["include"]),
            exclude=_listed(config["options.packages.find"]["exclude"]),
        )
    )
    folders = {
        ".".join(path.relative_to(ROOT).parts)
        for path in (ROOT / "helpdesk").rglob("*")
        if path.is_dir() and "__pycache__" not in path.parts
    } | {"helpdesk"}
    assert folders <= found
    assert {"helpdesk.static", "helpdesk.api.static", "helpdesk.api.templates.api"} <= found
    assert not any("__pycache__" in name for name in found)


def test_every_data_file_of_the_package_is_package_data():
    patterns = _listed(_setup_cfg()["options.package_data"]["helpdesk"])
    data = [
        path.relative_to(ROOT / "helpdesk").as_posix()
        for path in (ROOT / "helpdesk").rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc")
        and "__pycache__" not in path.parts
        and not fnmatch.fnmatch(path.name, "*.mo.*")  # a catalog being compiled by a parallel test worker
    ]
    assert data
    unlisted = [name for name in data if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)]
    assert unlisted == []


def test_the_sdist_carries_what_the_app_reads_from_the_checkout():
    manifest = (ROOT / "MANIFEST.in").read_text()
    for folder in ("templates", "seeds", "migrations"):
        assert f"recursive-include {folder} " in manifest, folder
