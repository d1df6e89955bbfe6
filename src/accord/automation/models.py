"""The engine's tables. `Event` is the transactional outbox every domain writes through `api.emit`."""

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One business event, written in the same transaction as the change it describes."""

    type = models.CharField(_("type"), max_length=80, db_index=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField(_("subject id"))
    partner_id = models.BigIntegerField(_("partner id"), null=True, blank=True, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["id"], condition=models.Q(processed_at__isnull=True), name="event_unprocessed"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.subject_id}"
