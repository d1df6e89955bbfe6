"""`accord worker`: runs background tasks from the database queue (several may run side by side)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true", help="process what is queued, then exit")

    def handle(self, *args, **options) -> None:
        call_command("db_worker", batch=options["batch"], interval=0.5)
