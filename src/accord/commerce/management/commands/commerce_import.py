"""`accord manage commerce_import <kind> <file>`: load an ERP file; every error by line and column, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accord.commerce.imports import KINDS, import_file


class Command(BaseCommand):
    help = "Import products, price lists, stock, deliveries, invoices or payments from CSV or XLSX (atomic)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)

    def handle(self, *args, kind: str, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        result = import_file(kind=kind, data=file.read_bytes(), filename=file.name, actor=None)
        if not result.ok:
            for error in result.errors:
                column = f", column {error.column}" if error.column else ""
                self.stderr.write(f"{file.name}: line {error.line}{column}: {error.message}")
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported.")
        self.stdout.write(f"{file.name}: {result.rows} rows, {result.created} created, {result.updated} updated, "
                          f"{result.unchanged} unchanged.")
