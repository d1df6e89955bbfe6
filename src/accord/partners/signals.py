"""Wiring only: keep segment membership current on admin edits and record portal logins."""

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone

from accord.automation import api as automation
from accord.partners.models import Partner, User


@receiver(post_save, sender=Partner)
def refresh_segments_after_save(sender, instance: Partner, raw=False, **kwargs) -> None:
    if raw:
        return
    from accord.partners.services import segments_refresh_for_partner

    transaction.on_commit(lambda: segments_refresh_for_partner(partner=instance))


def _refresh_after_m2m(sender, instance, action, **kwargs) -> None:
    if isinstance(instance, Partner) and action in {"post_add", "post_remove", "post_clear"}:
        refresh_segments_after_save(Partner, instance)


m2m_changed.connect(_refresh_after_m2m, sender=Partner.industries.through, weak=False)
m2m_changed.connect(_refresh_after_m2m, sender=Partner.specialisations.through, weak=False)


@receiver(user_logged_in)
def record_portal_login(sender, request, user: User, **kwargs) -> None:
    if user.partner_id is None:
        return
    Partner.objects.filter(pk=user.partner_id).update(last_portal_login=timezone.now())
    automation.emit("partner.logged_in", Partner(pk=user.partner_id), partner=user.partner_id, actor=user)
