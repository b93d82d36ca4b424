"""The only module that knows where files live (platformdirs, with overrides)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "CompactOffice"
DATABASE_FILE_NAME = "compact-office.sqlite3"

# COMPACT_OFFICE_HOME puts data and config under one folder (portable mode, tests, benchmarks).
HOME_ENV = "COMPACT_OFFICE_HOME"


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value) if value else None


def data_dir() -> Path:
    home = _home_override()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    home = _home_override()
    return (
        home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    )


def log_dir() -> Path:
    home = _home_override()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return data_dir() / DATABASE_FILE_NAME


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
