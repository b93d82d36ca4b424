"""The domain stays free of Qt: models, forms, services, pdf and core never import PySide6 or views."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
QT_FREE = ["models", "forms", "services", "pdf", "core"]
FORBIDDEN = ("PySide6", "app.views", "shiboken6")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("package", QT_FREE)
def test_package_does_not_import_qt(package):
    offenders = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in sorted((APP / package).rglob("*.py"))
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    ]
    assert offenders == []


def test_the_check_would_catch_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport app.views.main_window\n")
    assert [n for n in _imports(sample) if n.startswith(FORBIDDEN)] == [
        "PySide6.QtWidgets",
        "app.views.main_window",
    ]
