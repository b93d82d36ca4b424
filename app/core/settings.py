"""Per-installation settings kept in a small JSON file (the database URL); office settings live in the database."""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.core import paths

DATABASE_URL_ENV = "COMPACT_OFFICE_DATABASE_URL"


def settings_file() -> Path:
    return paths.config_dir() / "settings.json"


def load() -> dict:
    path = settings_file()
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save(values: dict) -> None:
    path = settings_file()
    paths.ensure_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(values, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def resolve_database_url(explicit: str | None = None) -> str:
    """Order: --database-url, then the environment, then the settings file, then the embedded file."""
    if explicit:
        return explicit
    from_env = os.environ.get(DATABASE_URL_ENV)
    if from_env:
        return from_env
    from_file = load().get("database_url")
    if from_file:
        return from_file
    database_file = paths.default_database_path()
    paths.ensure_dir(database_file.parent)
    return f"sqlite:///{database_file}"
