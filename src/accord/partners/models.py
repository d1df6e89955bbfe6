"""Partners core: organisations, their people, tiers, segments and recruitment."""

from __future__ import annotations

from functools import cached_property
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accord.partners.roles import PARTNER_ROLES, VENDOR_ROLES, Role


def time_zone_choices() -> list[tuple[str, str]]:
    """UTC and the IANA zones named after places; a callable keeps the list out of migrations."""
    places = sorted(tz for tz in available_timezones() if "/" in tz and not tz.startswith(("Etc", "SystemV")))
    return [("UTC", "UTC"), *((tz, tz) for tz in places)]


TIME_ZONE_CHOICES = time_zone_choices()


class Tier(models.Model):
    """A partner program level (e.g. Registered, Silver, Gold, Platinum); `rank` orders them."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("Higher is better."))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return gettext(self.name)  # reference data shipped with Accord is in the catalogs; the rest shows as typed


class Industry(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return gettext(self.name)  # reference data shipped with Accord is in the catalogs; the rest shows as typed


class Specialisation(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("specialisation")
        verbose_name_plural = _("specialisations")

    def __str__(self) -> str:
        return gettext(self.name)  # reference data shipped with Accord is in the catalogs; the rest shows as typed


class Partner(models.Model):
    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CHURNED = "churned", _("Churned")

    class Size(models.TextChoices):
        MICRO = "micro", _("Micro (1–9)")
        SMALL = "small", _("Small (10–49)")
        MEDIUM = "medium", _("Medium (50–249)")
        LARGE = "large", _("Large (250–999)")
        ENTERPRISE = "enterprise", _("Enterprise (1000+)")

    class Kind(models.TextChoices):
        DISTRIBUTOR = "distributor", _("Distributor")
        RESELLER = "reseller", _("Reseller")
        DEALER = "dealer", _("Dealer")
        AGENT = "agent", _("Sales agent")
        INTEGRATOR = "integrator", _("System integrator")

    legal_name = models.CharField(_("legal name"), max_length=200)
    trading_name = models.CharField(_("trading name"), max_length=200, blank=True)
    kind = models.CharField(_("partner type"), max_length=20, choices=Kind.choices, default=Kind.RESELLER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ONBOARDING,
                              db_index=True)
    country = models.CharField(_("country"), max_length=2, db_index=True, help_text=_("ISO 3166 code"))
    region = models.CharField(_("region"), max_length=120, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    web_domain = models.CharField(_("web domain"), max_length=200, blank=True, db_index=True)
    tax_id = models.CharField(_("tax ID"), max_length=40, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    size = models.CharField(_("size"), max_length=20, choices=Size.choices, default=Size.SMALL)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(_("annual revenue"), max_digits=16, decimal_places=2, null=True,
                                         blank=True)
    industries = models.ManyToManyField(Industry, verbose_name=_("industries served"), blank=True,
                                        related_name="partners")
    specialisations = models.ManyToManyField(Specialisation, verbose_name=_("specialisations"), blank=True,
                                             related_name="partners")
    competing_products = models.TextField(_("competing products sold"), blank=True,
                                          help_text=_("One product per line."))
    language = models.CharField(_("language"), max_length=8, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", choices=time_zone_choices)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="partners",
                             null=True, blank=True)
    channel_manager = models.ForeignKey("partners.User", verbose_name=_("channel account manager"),
                                        on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="managed_partners")
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    last_portal_login = models.DateTimeField(_("last portal login"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        indexes = [models.Index(fields=["tier", "status"]), models.Index(fields=["channel_manager", "status"]),
                   # partner lists filtered by country (and status, the console's two main filters) read their
                   # page in name order instead of sorting, and count from the index alone
                   models.Index(fields=["country", "legal_name"], name="partner_country_name_idx"),
                   models.Index(fields=["status", "country", "legal_name"], name="partner_status_country_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.trading_name or self.legal_name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person: vendor staff (no partner) or a partner's contact with a login."""

    username = None
    email = models.EmailField(_("email"), unique=True)
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="users")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", choices=time_zone_choices)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def roles(self) -> frozenset[Role]:
        names = {g.name for g in self.groups.all()}
        return frozenset(Role(n) for n in names if n in Role._value2member_map_)

    def has_role(self, *roles: Role) -> bool:
        return (self.is_superuser and not self.partner_id) or bool(self.roles.intersection(roles))

    @property
    def is_vendor(self) -> bool:
        """Vendor staff see the console; superusers without a partner count as vendor admins."""
        return self.partner_id is None and (self.is_superuser or bool(self.roles & VENDOR_ROLES))

    @property
    def is_partner_user(self) -> bool:
        return self.partner_id is not None and bool(self.roles & PARTNER_ROLES)

    @property
    def is_partner_admin(self) -> bool:
        return self.partner_id is not None and Role.PARTNER_ADMIN in self.roles


class Segment(models.Model):
    """A dynamic group of partners defined by a rule over their attributes (see segments.py)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    rule = models.JSONField(_("rule"), default=dict)
    members = models.ManyToManyField(Partner, through="SegmentMembership", related_name="segments",
                                     verbose_name=_("members"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class SegmentMembership(models.Model):
    """Materialised membership, kept current by segment services when partners or rules change."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "partner"], name="uniq_segment_partner")]
        indexes = [models.Index(fields=["partner", "segment"])]

    def __str__(self) -> str:
        return f"{self.partner_id} in {self.segment_id}"


class QualificationQuestion(models.Model):
    """A question on the public application form; each choice carries the points it scores."""

    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    choices = models.JSONField(_("choices"), default=list,
                               help_text=_('List of {"value": ..., "label": ..., "points": n}.'))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    translations = models.JSONField(
        _("translations"), default=dict, blank=True,
        help_text=_('Per language: {"ru": {"text": ..., "help_text": ..., "choices": {"value": "label"}}}.'))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("qualification question")
        verbose_name_plural = _("qualification questions")

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        """Choices must be a non-empty list of distinct values with labels and non-negative whole points."""
        choices = self.choices
        if not isinstance(choices, list) or not choices:
            raise ValidationError({"choices": _("Give at least one choice.")})
        seen = set()
        for number, choice in enumerate(choices, start=1):
            if not isinstance(choice, dict) or not str(choice.get("value", "")).strip() or not choice.get("label"):
                raise ValidationError({"choices": _("Choice %(n)s needs a value and a label.") % {"n": number}})
            points = choice.get("points", 0)
            if isinstance(points, bool) or not isinstance(points, int) or points < 0:
                raise ValidationError({"choices": _("Choice %(n)s: points must be a whole number, 0 or more.")
                                       % {"n": number}})
            if str(choice["value"]) in seen:
                raise ValidationError({"choices": _("Choice %(n)s repeats the value %(value)s.")
                                       % {"n": number, "value": choice["value"]}})
            seen.add(str(choice["value"]))
        if not isinstance(self.translations, dict):
            raise ValidationError({"translations": _("Give an object keyed by language code.")})

    def localized(self, language: str) -> tuple[str, str, list[tuple[str, str]]]:
        """(text, help text, [(value, label)]) in `language`, falling back to the original wording."""
        local = self.translations.get(language) or {} if isinstance(self.translations, dict) else {}
        labels = local.get("choices") or {}
        return (local.get("text") or self.text, local.get("help_text") or self.help_text,
                [(str(c["value"]), labels.get(str(c["value"])) or c["label"]) for c in self.choices])


class Application(models.Model):
    """A company applying to become a partner, from the public form until it is decided."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    legal_name = models.CharField(_("legal name"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=120, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    web_domain = models.CharField(_("web domain"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    kind = models.CharField(_("partner type"), max_length=20, choices=Partner.Kind.choices,
                            default=Partner.Kind.RESELLER)
    size = models.CharField(_("size"), max_length=20, choices=Partner.Size.choices, default=Partner.Size.SMALL)
    industries = models.ManyToManyField(Industry, verbose_name=_("industries served"), blank=True)
    specialisations = models.ManyToManyField(Specialisation, verbose_name=_("specialisations"), blank=True)
    contact_first_name = models.CharField(_("first name"), max_length=150)
    contact_last_name = models.CharField(_("last name"), max_length=150)
    contact_email = models.EmailField(_("email"))
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("qualification score"), default=0,
                                             help_text=_("0–100, from the weighted answers."))
    message = models.TextField(_("message"), blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision_reason = models.TextField(_("reason"), blank=True)
    partner = models.OneToOneField(Partner, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="application")

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["status", "-score"], name="application_queue")]

    def __str__(self) -> str:
        return self.legal_name


class ManagerMessage(models.Model):
    """A message a partner user sends to its channel account manager from the portal."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="manager_messages")
    sender = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="sent_manager_messages")
    recipient = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                  related_name="received_manager_messages")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("message to channel manager")
        verbose_name_plural = _("messages to channel managers")

    def __str__(self) -> str:
        return self.subject


def active_partner_q() -> Q:
    return Q(status__in=[Partner.Status.ONBOARDING, Partner.Status.ACTIVE])
