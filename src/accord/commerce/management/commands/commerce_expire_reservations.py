"""`accord manage commerce_expire_reservations`: release holds past their expiry (for cron, every few minutes)."""

from django.core.management.base import BaseCommand

from accord.commerce.services import reservations_expire


class Command(BaseCommand):
    help = "Release reservations whose expiry has passed and give their quantity back to stock."

    def handle(self, *args, **options):
        self.stdout.write(f"{reservations_expire()} reservation(s) expired.")
