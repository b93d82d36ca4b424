"""The data-exchange folder (docs/data-exchange.md): import it all or nothing, export what one may see."""

from app.services.exchange.exporting import ExportSummary, export_folder
from app.services.exchange.format import FILES, ExchangeError
from app.services.exchange.importing import (
    Cancelled,
    ImportFailed,
    ImportSummary,
    Progress,
    import_folder,
)

__all__ = [
    "FILES",
    "Cancelled",
    "ExchangeError",
    "ExportSummary",
    "ImportFailed",
    "ImportSummary",
    "Progress",
    "export_folder",
    "import_folder",
]
