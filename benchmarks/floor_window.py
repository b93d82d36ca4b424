"""The start-up floor: import PySide6 and SQLAlchemy, open the same database, show an empty window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from sqlalchemy import create_engine, text


def main() -> int:
    engine = create_engine(sys.argv[1])
    with engine.connect() as connection:
        connection.execute(text("SELECT 1")).scalar()
    application = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1200, 800)
    window.show()

    def shown() -> None:
        print("shown", flush=True)
        application.quit()

    QTimer.singleShot(0, shown)
    return application.exec()


if __name__ == "__main__":
    raise SystemExit(main())
