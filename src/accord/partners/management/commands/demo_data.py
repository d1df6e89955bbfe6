"""Load the demo data set. Idempotent: every seeder looks records up by natural key before creating."""

from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import transaction

DOMAINS_IN_ORDER = ("partners", "commerce", "sales", "automation")


class Command(BaseCommand):
    help = "Fill the database with a realistic demo data set (safe to run twice)."

    def handle(self, *args, **options) -> None:
        for domain in DOMAINS_IN_ORDER:
            module_name = f"accord.{domain}.demo"
            if find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).seed()
        self.stdout.write("Demo data is loaded.")
