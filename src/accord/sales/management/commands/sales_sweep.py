"""`accord manage sales_sweep`: run the sales sweep now (cron-friendly), or `--schedule` to start its chain."""

from django.core.management.base import BaseCommand

from accord.sales import tasks


class Command(BaseCommand):
    help = "Expire overdue lead offers and deal protection periods, re-routing leads."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schedule", action="store_true", help="enqueue the self-repeating sweep instead")

    def handle(self, *args, **options) -> None:
        if options["schedule"]:
            tasks.sales_sweep.enqueue()
            self.stdout.write("sales sweep enqueued")
            return
        from accord.sales import services

        self.stdout.write(f"offers expired: {services.offers_expire()}; deals: {services.deals_expire()}")
