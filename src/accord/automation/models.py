"""The engine's tables: the outbox, rules and their versions, the firing ledger, actions, tasks for people,
messages partners received, pauses and quiet hours.

`Event` is the transactional outbox every domain writes through `api.emit`. A `Firing` is one ledger row per
(rule, subject, occurrence) with a unique key, so no retry can act twice; each of its actions is a
`FiringAction` row that records the outcome (or the failure) of that one effect.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class Rule(models.Model):
    """A rule's identity: owner, category, on/off and pause. Its definition lives in versions."""

    class Category(models.TextChoices):
        TRANSACTIONAL = "transactional", _("Transactional")
        NUDGE = "nudge", _("Nudge")

    code = models.SlugField(_("code"), max_length=80, unique=True,
                            help_text=_("Stable name used by playbooks and the API."))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.NUDGE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="automation_rules")
    enabled = models.BooleanField(_("enabled"), default=False)
    playbook = models.CharField(_("playbook"), max_length=80, blank=True)
    current_version = models.ForeignKey("RuleVersion", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["playbook", "name"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.name

    @property
    def is_nudge(self) -> bool:
        return self.category == self.Category.NUDGE


class RuleVersion(models.Model):
    """An immutable definition of a rule; editing a rule adds a version, so the ledger can say which one acted."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    trigger = models.JSONField(_("trigger"))
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    variants = models.JSONField(_("variants"), default=list, blank=True)
    throttle_days = models.PositiveIntegerField(_("at most once per subject every (days)"), null=True, blank=True)
    outcome_event = models.CharField(_("outcome event"), max_length=80, blank=True)
    outcome_days = models.PositiveIntegerField(_("outcome window (days)"), default=14)
    note = models.CharField(_("change note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["rule", "-number"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="uniq_rule_version")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.number}"


class Firing(models.Model):
    """The ledger: what a rule did (or why it did not) for one subject and occurrence."""

    class Status(models.TextChoices):
        FIRED = "fired", _("Fired")
        SKIPPED = "skipped", _("Skipped")
        DEFERRED = "deferred", _("Deferred")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        CONDITION_FALSE = "condition_false", _("Condition false")
        PAUSED_PARTNER = "paused_partner", _("Partner paused")
        PAUSED_RULE = "paused_rule", _("Rule paused")
        PAUSED_GLOBAL = "paused_global", _("All nudges paused")
        QUIET_HOURS = "quiet_hours", _("Quiet hours")
        THROTTLED = "throttled", _("Throttled")
        NO_LONGER_APPLIES = "no_longer_applies", _("No longer applies")
        SUPERSEDED = "superseded", _("Superseded by a later step")
        RULE_DISABLED = "rule_disabled", _("Rule disabled")

    key = models.CharField(_("key"), max_length=255, unique=True)
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="firings")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField(_("subject id"))
    partner_id = models.BigIntegerField(_("partner id"), null=True, blank=True)
    occurrence = models.CharField(_("occurrence"), max_length=80)
    trigger = models.JSONField(_("trigger"), default=dict, encoder=DjangoJSONEncoder)
    event_id = models.BigIntegerField(_("event"), null=True, blank=True)
    inputs = models.JSONField(_("condition inputs"), default=dict, encoder=DjangoJSONEncoder)
    condition_result = models.BooleanField(_("condition result"), null=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FIRED)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices, blank=True, default="")
    variant = models.CharField(_("variant"), max_length=40, blank=True)
    batch = models.CharField(max_length=32, blank=True, editable=False)
    repeats = models.PositiveIntegerField(_("refused repeats"), default=0,
                                          help_text=_("Times the same firing was attempted again and refused."))
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    outcome_event_id = models.BigIntegerField(_("outcome event"), null=True, blank=True)
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("firing")
        verbose_name_plural = _("firings")
        indexes = [
            models.Index(fields=["rule", "subject_type", "subject_id", "created_at"]),
            models.Index(fields=["partner_id", "created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return self.key


class FiringAction(models.Model):
    """One effect of a firing; the row is the action's durable state, its task only a wake-up call."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    firing = models.ForeignKey(Firing, on_delete=models.CASCADE, related_name="firing_actions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("action"), max_length=80)
    params = models.JSONField(_("parameters"), default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    outcome = models.JSONField(_("outcome"), default=dict, encoder=DjangoJSONEncoder)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["firing", "position"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="action_pending"),
            models.Index(fields=["lease_until"], condition=Q(status="running"), name="action_running"),
            models.Index(fields=["status", "finished_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"


class Message(models.Model):
    """An automated message one person received (email or in-app), with the firing that explains why."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In-app")

    class Delivery(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        UNCERTAIN = "uncertain", _("Interrupted while sending")

    firing = models.ForeignKey(Firing, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    action = models.ForeignKey(FiringAction, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="messages")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.SENT)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner_id = models.BigIntegerField(_("partner id"), null=True, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    why = models.CharField(_("why you received it"), max_length=400, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [models.UniqueConstraint(fields=["action", "recipient", "channel"],
                                               name="uniq_message_per_action_recipient")]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class Task(models.Model):
    """Work for a person the automation (or a colleague) could not do itself."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.IntegerChoices):
        LOW = 10, _("Low")
        NORMAL = 20, _("Normal")
        HIGH = 30, _("High")
        URGENT = 40, _("Urgent")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="automation_tasks")
    role = models.CharField(_("role queue"), max_length=40, blank=True)
    partner_id = models.BigIntegerField(_("partner id"), null=True, blank=True, db_index=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True)
    subject_label = models.CharField(_("subject"), max_length=200, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    escalate_to_role = models.CharField(_("escalate to role"), max_length=40, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    source_firing = models.ForeignKey(Firing, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="tasks")
    source_rule = models.ForeignKey(Rule, verbose_name=_("source rule"), on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="tasks")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    history = models.JSONField(_("history"), default=list, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["status", "-priority", "due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["status", "assignee", "due_at"]),
                   models.Index(fields=["subject_type", "subject_id", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at is not None and self.due_at < timezone.now()


class Pause(models.Model):
    """Stop nudges (never transactional messages) for one partner, one rule, or everything, until a date."""

    class Scope(models.TextChoices):
        GLOBAL = "global", _("All nudges")
        PARTNER = "partner", _("One partner")
        RULE = "rule", _("One rule")

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.CASCADE,
                                null=True, blank=True, related_name="+")
    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="pauses")
    until = models.DateTimeField(_("until"), null=True, blank=True, help_text=_("Empty: until lifted."))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.reason}"

    @classmethod
    def active_q(cls, now: datetime.datetime | None = None) -> Q:
        now = now or timezone.now()
        return Q(lifted_at__isnull=True) & (Q(until__isnull=True) | Q(until__gt=now))


class QuietHours(models.Model):
    """When nudges wait: a window of local time in each partner's own time zone (one row, pk=1)."""

    enabled = models.BooleanField(_("enabled"), default=True)
    start = models.TimeField(_("from"), default=datetime.time(20, 0))
    end = models.TimeField(_("until"), default=datetime.time(8, 0))
    weekends = models.BooleanField(_("quiet all weekend"), default=False)

    class Meta:
        verbose_name = _("quiet hours")
        verbose_name_plural = _("quiet hours")

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class TriggerCursor(models.Model):
    """How far the time-trigger pass got for one rule: the next pass covers (swept_until, now]."""

    rule = models.OneToOneField(Rule, on_delete=models.CASCADE, related_name="cursor")
    swept_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.rule_id} → {self.swept_until}"


class WebhookEndpoint(models.Model):
    """Where the webhook action posts, with the secret its HMAC-SHA256 signature uses."""

    name = models.SlugField(_("name"), max_length=80, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name
