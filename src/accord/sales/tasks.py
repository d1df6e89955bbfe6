"""Background work for sales, through django.tasks: answer deadlines and the periodic sweep.

Every offer schedules a check at its deadline (when the task backend can defer work). The sweep is the safety
net: it expires overdue offers and ended protection periods, then schedules itself again; the due time lives
in `SalesSettings.sweep_due_at` and is claimed with a conditional UPDATE, so however many workers run (or
however often the chain is restarted) one sweep runs per interval and a restart catches up at once.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.tasks import default_task_backend, task
from django.utils import timezone

SWEEP_INTERVAL = datetime.timedelta(minutes=5)


def _can_defer() -> bool:
    return getattr(default_task_backend, "supports_defer", False)


@task()
def offer_deadline_reached(offer_id: int) -> str:
    """Expire one offer if it is still unanswered past its deadline, and route its lead onwards."""
    from accord.sales import services
    from accord.sales.models import LeadOffer

    offer = LeadOffer.objects.filter(pk=offer_id).only("status", "deadline").first()
    if offer is None or offer.status != LeadOffer.Status.PENDING or offer.deadline > timezone.now():
        return "nothing to do"
    return f"expired {services.offers_expire()}"


def schedule_offer_deadline(offer_id: int, deadline: datetime.datetime) -> None:
    """Called after the offer is committed; without deferral support the sweep handles the deadline."""
    if _can_defer():
        offer_deadline_reached.using(run_after=deadline + datetime.timedelta(seconds=1)).enqueue(offer_id)
    ensure_sweep_scheduled()


@task()
def sales_sweep() -> dict:
    """Expire overdue offers and protection periods, then schedule the next sweep."""
    from accord.sales import services
    from accord.sales.models import SalesSettings

    now = timezone.now()
    current = SalesSettings.current()
    claimed = SalesSettings.objects.filter(pk=current.pk).filter(
        Q(sweep_due_at__isnull=True) | Q(sweep_due_at__lte=now)).update(sweep_due_at=now + SWEEP_INTERVAL)
    if not claimed:
        return {"skipped": True}
    result = {"offers_expired": services.offers_expire(now=now), **services.deals_expire()}
    if _can_defer():
        transaction.on_commit(
            lambda: sales_sweep.using(run_after=timezone.now() + SWEEP_INTERVAL).enqueue())
    return result


def ensure_sweep_scheduled() -> None:
    """Start the sweep chain if it is not running (its due time is unset or long past)."""
    from accord.sales.models import SalesSettings

    if not _can_defer():
        return
    due = SalesSettings.current().sweep_due_at
    if due is None or due < timezone.now() - 2 * SWEEP_INTERVAL:
        sales_sweep.enqueue()
