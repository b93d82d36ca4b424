"""Builds a one-folder desktop bundle with PyInstaller (`pip install pyinstaller`, then run this file)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> int:
    try:
        import PyInstaller.__main__ as pyinstaller
    except ImportError:
        print("PyInstaller is not installed: pip install pyinstaller", file=sys.stderr)
        return 2
    separator = ";" if sys.platform == "win32" else ":"
    # Absolute paths: PyInstaller resolves relative ones against --specpath.
    data = [
        (ROOT / "resources", "resources"),
        (ROOT / "app" / "migrations", "app/migrations"),
    ]
    arguments = [
        str(ROOT / "app" / "__main__.py"),
        "--name=compact-office",
        "--noconfirm",
        "--windowed",
        f"--distpath={ROOT / 'dist'}",
        f"--workpath={ROOT / 'build'}",
        f"--specpath={ROOT / 'build'}",
        "--collect-submodules=app",
        *(f"--add-data={source}{separator}{target}" for source, target in data),
    ]
    pyinstaller.run(arguments)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
