"""Sales: deal registrations with their conflict index, and leads routed to the partner best placed to win."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.partners.models import Partner

MONEY = {"max_digits": 18, "decimal_places": 2}


class SalesSettings(models.Model):
    """One row: the knobs channel managers tune from the console (routing weights, deadlines, thresholds)."""

    protection_days = models.PositiveSmallIntegerField(
        _("protection period (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(730)])
    extension_days = models.PositiveSmallIntegerField(
        _("default extension (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)])
    duplicate_threshold = models.PositiveSmallIntegerField(
        _("duplicate threshold"), default=88, validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text=_("A match scoring at least this much rejects the registration as a duplicate."))
    review_threshold = models.PositiveSmallIntegerField(
        _("review threshold"), default=72, validators=[MinValueValidator(30), MaxValueValidator(100)],
        help_text=_("A match between this and the duplicate threshold goes to a channel manager."))
    match_window_days = models.PositiveSmallIntegerField(
        _("conflict time window (days)"), default=365, validators=[MinValueValidator(7), MaxValueValidator(3650)],
        help_text=_("Registrations further apart than this in time count as separate opportunities."))
    acceptance_hours = models.PositiveSmallIntegerField(
        _("acceptance deadline (working hours)"), default=48, validators=[MinValueValidator(1),
                                                                         MaxValueValidator(400)])
    max_routing_attempts = models.PositiveSmallIntegerField(
        _("routing attempts before a person decides"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)])
    default_capacity = models.PositiveSmallIntegerField(
        _("default open-lead capacity"), default=10, validators=[MinValueValidator(1), MaxValueValidator(10000)])
    working_day_start = models.PositiveSmallIntegerField(_("working day starts (hour)"), default=9,
                                                         validators=[MaxValueValidator(23)])
    working_day_end = models.PositiveSmallIntegerField(_("working day ends (hour)"), default=17,
                                                       validators=[MinValueValidator(1), MaxValueValidator(24)])
    weight_industry = models.FloatField(_("industry experience"), default=2.0, validators=[MinValueValidator(0)])
    weight_geography = models.FloatField(_("distance"), default=2.0, validators=[MinValueValidator(0)])
    weight_territory = models.FloatField(_("declared territory"), default=2.0, validators=[MinValueValidator(0)])
    weight_specialisation = models.FloatField(_("specialisations"), default=1.5, validators=[MinValueValidator(0)])
    weight_certification = models.FloatField(_("certifications"), default=1.5, validators=[MinValueValidator(0)])
    weight_performance = models.FloatField(_("performance"), default=1.5, validators=[MinValueValidator(0)])
    weight_tier = models.FloatField(_("tier"), default=1.0, validators=[MinValueValidator(0)])
    weight_load = models.FloatField(_("free capacity"), default=1.0, validators=[MinValueValidator(0)])
    weight_fairness = models.FloatField(_("fairness"), default=1.0, validators=[MinValueValidator(0)])
    sweep_due_at = models.DateTimeField(null=True, blank=True, editable=False,
                                        help_text="When the periodic sales sweep runs next; claimed atomically.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self) -> str:
        return str(_("Sales settings"))

    @classmethod
    def current(cls) -> SalesSettings:
        """The one settings row (pk 1); concurrent first calls meet on the primary key, never make two."""
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


class Deal(models.Model):
    """A registered opportunity: a partner's registration, or the vendor's own direct opportunity."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        REVIEW = "review", _("In conflict review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        EXPIRED = "expired", _("Expired")

    class Stage(models.TextChoices):
        QUALIFICATION = "qualification", _("Qualification")
        PROPOSAL = "proposal", _("Proposal")
        NEGOTIATION = "negotiation", _("Negotiation")
        COMMIT = "commit", _("Commit")

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("No conflict found")
        DUPLICATE = "duplicate", _("Duplicate")
        REVIEW = "review", _("Needs review")

    OPEN_STATUSES = (Status.SUBMITTED, Status.REVIEW, Status.APPROVED)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="deals",
                                help_text=_("Empty for the vendor's own direct opportunities."))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"),
                                      on_delete=models.SET_NULL, null=True, related_name="+")
    company_name = models.CharField(_("company name"), max_length=200)
    company_country = models.CharField(_("country"), max_length=2)
    company_city = models.CharField(_("city"), max_length=120, blank=True)
    company_domain = models.CharField(_("web domain"), max_length=200, blank=True)
    company_tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    company_norm = models.CharField(max_length=250, blank=True, editable=False,
                                    help_text="Normalised company name, for search and the trigram index.")
    industry = models.ForeignKey("partners.Industry", verbose_name=_("industry"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    products = models.ManyToManyField("commerce.Product", verbose_name=_("products"), blank=True,
                                      related_name="+")
    value = models.DecimalField(_("estimated value"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    expected_close_date = models.DateField(_("expected close date"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.QUALIFICATION)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, default=Verdict.ACCEPTED)
    conflicts = models.JSONField(_("conflicts"), default=list, blank=True,
                                 help_text="Ranked candidates at submission: deal id, score, verdict, reasons.")
    conflict_with = models.ForeignKey("self", verbose_name=_("conflicting registration"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    protected_until = models.DateField(_("protected until"), null=True, blank=True, db_index=True)
    expiry_notice_for = models.DateField(null=True, blank=True, editable=False,
                                         help_text="The protection end date the expiring event was emitted for.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decision_reason = models.TextField(_("reason"), blank=True)
    close_reason = models.TextField(_("won/lost reason"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    lead = models.OneToOneField("sales.Lead", verbose_name=_("lead"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="deal")
    notes = models.TextField(_("notes"), blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        indexes = [models.Index(fields=["partner", "status"]), models.Index(fields=["status", "protected_until"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.company_name}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def owner_type(self) -> str:
        return "vendor" if self.partner_id is None else "partner"


class MatchKey(models.Model):
    """The conflict index: blocking keys of every open registration, as 64-bit hashes (see ADR 0030).

    A registration's keys are its distinctive name tokens and every one-letter deletion of them (two spellings
    one typo apart always share one), their phonetic skeletons, its acronym, web domain and tax ID. Candidates are the
    open deals sharing the most keys; only they are scored with rapidfuzz.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="match_keys")
    key = models.BigIntegerField()

    class Meta:
        # (key, deal) serves the candidate query from the index alone; the foreign-key index on deal serves
        # re-indexing. Keys are written as a set per deal, so no unique index is paid for at a million deals.
        indexes = [models.Index(fields=["key", "deal"], name="sales_matchkey_key_deal")]

    def __str__(self) -> str:
        return f"{self.deal_id}:{self.key}"


class MatchKeyFrequency(models.Model):
    """How many open registrations hold each blocking key, so a check reads its rarest keys first (ADR 0030)."""

    key = models.BigIntegerField(primary_key=True)
    deals = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.deals}"


class DealRequest(models.Model):
    """A partner's appeal against a rejection, or a request to extend the protection period."""

    class Kind(models.TextChoices):
        APPEAL = "appeal", _("Appeal")
        EXTENSION = "extension", _("Extension")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    reason = models.TextField(_("reason"))
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("deal request")
        verbose_name_plural = _("deal requests")
        constraints = [models.UniqueConstraint(fields=["deal", "kind"], condition=Q(status="open"),
                                               name="sales_one_open_request_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.deal_id}"


class DealEvent(models.Model):
    """Append-only history of a deal: every status and stage change, who did it and why."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    status = models.CharField(max_length=20, choices=Deal.Status.choices)
    stage = models.CharField(max_length=20, choices=Deal.Stage.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.deal_id} → {self.status}"


class Lead(models.Model):
    """A prospect the vendor received and passes to the partner best placed to win it."""

    class Source(models.TextChoices):
        CONSOLE = "console", _("Console")
        IMPORT = "import", _("CSV import")
        API = "api", _("API")
        WEB = "web", _("Web form")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OFFERED = "offered", _("Offered to a partner")
        ACCEPTED = "accepted", _("Accepted")
        CONVERTED = "converted", _("Converted to a deal")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        UNROUTED = "unrouted", _("Needs a person")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.OFFERED, Status.ACCEPTED, Status.CONVERTED)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.CONSOLE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW,
                              db_index=True)
    company_name = models.CharField(_("company name"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    industry = models.ForeignKey("partners.Industry", verbose_name=_("industry"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    products = models.ManyToManyField("commerce.Product", verbose_name=_("product interest"), blank=True,
                                      related_name="+")
    specialisations = models.ManyToManyField("partners.Specialisation", verbose_name=_("skills needed"),
                                             blank=True, related_name="+")
    size = models.CharField(_("company size"), max_length=20, choices=Partner.Size.choices, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True)
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="leads")
    routing_attempts = models.PositiveSmallIntegerField(_("routing attempts"), default=0)
    status_changed_at = models.DateTimeField(_("in this state since"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [models.Index(fields=["partner", "status"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.company_name}"


class LeadOffer(models.Model):
    """One routing decision: the lead offered to a partner, why, and what the partner answered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="lead_offers")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    score = models.FloatField(_("score"), default=0)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True,
                                   help_text="Weights, the top candidates and their factor scores.")
    offered_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(_("answer by"), db_index=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    decline_reason = models.TextField(_("reason"), blank=True)
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", help_text="Empty when the router chose automatically.")

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("lead offer")
        verbose_name_plural = _("lead offers")
        constraints = [models.UniqueConstraint(fields=["lead"], condition=Q(status="pending"),
                                               name="sales_one_pending_offer_per_lead")]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["partner", "status"])]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.partner_id}"

    @property
    def response_hours(self) -> float | None:
        if self.responded_at is None:
            return None
        return (self.responded_at - self.offered_at) / datetime.timedelta(hours=1)


class LeadEvent(models.Model):
    """Append-only history of a lead, from which the time spent in each state is measured."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    status = models.CharField(max_length=20, choices=Lead.Status.choices)
    partner = models.ForeignKey(Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.status}"


class Territory(models.Model):
    """An area a partner declares it covers: a country, optionally narrowed to a region or city."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="territories")
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region or city"), max_length=120, blank=True)

    class Meta:
        ordering = ["country", "region"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [models.UniqueConstraint(fields=["partner", "country", "region"],
                                               name="sales_territory_uniq")]

    def __str__(self) -> str:
        return f"{self.country} {self.region}".strip()


class Certification(models.Model):
    """A partner's current certification for a product, until the enablement domain owns these."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="product_certifications")
    product = models.ForeignKey("commerce.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="+")
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["partner", "product"]
        verbose_name = _("product certification")
        verbose_name_plural = _("product certifications")
        constraints = [models.UniqueConstraint(fields=["partner", "product"], name="sales_certification_uniq")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.product_id}"


class RoutingProfile(models.Model):
    """A partner's lead capacity (open leads at once) and whether it takes leads at all."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="routing_profile")
    capacity = models.PositiveSmallIntegerField(_("open-lead capacity"), default=10)
    accepts_leads = models.BooleanField(_("accepts leads"), default=True)

    class Meta:
        verbose_name = _("routing profile")
        verbose_name_plural = _("routing profiles")

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.capacity}"
