"""`accord manage commerce_export <kind> <file>`: write the same columns an import reads (CSV or XLSX by suffix)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from accord.commerce.imports import KINDS, export_csv, export_xlsx


class Command(BaseCommand):
    help = "Export products, price lists, stock, deliveries, invoices or payments to CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)

    def handle(self, *args, kind: str, file: Path, **options):
        data = export_xlsx(kind) if file.suffix.lower() == ".xlsx" else export_csv(kind)
        file.write_bytes(data)
        self.stdout.write(f"Wrote {file}.")
