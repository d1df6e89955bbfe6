"""Console forms for partners core: list filters and the vendor's edit of a partner."""

from __future__ import annotations

from functools import cache, cached_property

import pycountry
from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accord.partners import selectors
from accord.partners.models import TIME_ZONE_CHOICES, Partner
from accord.partners.prepared import PreparedQuery
from accord.partners.roles import Role

SORT_COLUMNS = {
    "name": ("legal_name",),
    "country": ("country", "legal_name"),
    "city": ("city", "legal_name"),
    "tier": ("tier__rank", "legal_name"),
    "status": ("status", "legal_name"),
    "cam": ("channel_manager__last_name", "channel_manager__first_name", "legal_name"),
    "joined": ("joined_on", "legal_name"),
}


@cache
def country_choices() -> list[tuple[str, str]]:
    return [(c.alpha_2, f"{c.alpha_2} · {c.name}") for c in sorted(pycountry.countries, key=lambda c: c.alpha_2)]


@cache
def _country_labels() -> dict[str, str]:
    return dict(country_choices())


# Choice lists without parameters: compiled once per process, read fresh on every request.
SEGMENTS = PreparedQuery(lambda: selectors.segments().values_list("pk", "name"))
TIERS = PreparedQuery(lambda: selectors.tiers().values_list("code", "name"))
CHANNEL_MANAGERS = PreparedQuery(lambda: selectors.vendor_staff(Role.CHANNEL_MANAGER).values_list(
    "pk", "first_name", "last_name", "email"))


class PartnerFilterForm(forms.Form):
    """The partner list's search, filters and sort; unknown values are ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Name, domain, tax ID or city")}))
    segment = forms.TypedChoiceField(label=_("Segment"), required=False, coerce=int, empty_value=None)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *Partner.Status.choices])
    channel_manager = forms.TypedChoiceField(label=_("Channel manager"), required=False, coerce=int,
                                             empty_value=None)
    sort = forms.ChoiceField(label=_("Sort"), required=False,
                             choices=[("", "")] + [(p + c, p + c) for c in SORT_COLUMNS for p in ("", "-")])

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Callables: a list is read only when its field has a value to validate or the filters are shown.
        self.fields["segment"].choices = lambda: self.segment_choices
        self.fields["tier"].choices = lambda: self.tier_choices
        self.fields["country"].choices = lambda: self.country_choices
        self.fields["channel_manager"].choices = lambda: self.channel_manager_choices

    @cached_property
    def segment_choices(self) -> list[tuple]:
        return [("", _("Any segment")), *((row["pk"], row["name"]) for row in SEGMENTS.rows())]

    @cached_property
    def tier_choices(self) -> list[tuple]:
        return [("", _("Any tier")), *((row["code"], gettext(row["name"])) for row in TIERS.rows())]  # Tier.__str__

    @cached_property
    def country_choices(self) -> list[tuple]:
        labels = _country_labels()
        return [("", _("Any country")), *((code, labels.get(code, code)) for code in selectors.partner_countries())]

    @cached_property
    def channel_manager_choices(self) -> list[tuple]:
        return [("", _("Any channel manager")), *(
            (row["pk"], f"{row['first_name']} {row['last_name']}".strip() or row["email"])  # as User.__str__
            for row in CHANNEL_MANAGERS.rows())]

    def filters(self) -> dict:
        """Keyword arguments for `selectors.partner_list`, from the valid fields only."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return {
            "search": (data.get("q") or "").strip(),
            "segment": data.get("segment"),
            "tier": data.get("tier") or "",
            "country": data.get("country") or "",
            "status": data.get("status") or "",
            "channel_manager": data.get("channel_manager"),
        }

    def ordering(self) -> tuple[str, ...]:
        sort = (self.cleaned_data.get("sort") if self.is_bound and "sort" not in self.errors else "") or "name"
        descending = sort.startswith("-")
        columns = SORT_COLUMNS[sort.lstrip("-")]
        return tuple(f"-{c}" if descending else c for c in columns[:1]) + columns[1:] + ("pk",)


class PartnerAccountForm(forms.Form):
    """What the vendor decides about a partner: tier, lifecycle status and channel account manager."""

    tier = forms.ModelChoiceField(label=_("Tier"), queryset=selectors.tiers(), required=False,
                                  empty_label=_("No tier"))
    status = forms.ChoiceField(label=_("Status"), choices=Partner.Status.choices)
    channel_manager = forms.ModelChoiceField(label=_("Channel account manager"), required=False,
                                             queryset=selectors.vendor_staff(Role.CHANNEL_MANAGER),
                                             empty_label=_("Unassigned"))
    joined_on = forms.DateField(label=_("Joined on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel_manager"].queryset = selectors.vendor_staff(Role.CHANNEL_MANAGER).distinct()


class PartnerProfileForm(forms.Form):
    """The partner's company profile as the vendor may edit it; `partner_update` validates identity fields."""

    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    trading_name = forms.CharField(label=_("Trading name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Partner type"), choices=Partner.Kind.choices)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    web_domain = forms.CharField(label=_("Web domain"), max_length=200, required=False)
    tax_id = forms.CharField(label=_("Tax ID"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    size = forms.ChoiceField(label=_("Size"), choices=Partner.Size.choices)
    employees = forms.IntegerField(label=_("Employees"), min_value=0, max_value=10_000_000, required=False)
    annual_revenue = forms.DecimalField(label=_("Annual revenue"), max_digits=16, decimal_places=2,
                                        min_value=0, required=False)
    industries = forms.ModelMultipleChoiceField(label=_("Industries served"), queryset=selectors.industries(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    specialisations = forms.ModelMultipleChoiceField(label=_("Specialisations"),
                                                     queryset=selectors.specialisations(), required=False,
                                                     widget=forms.CheckboxSelectMultiple)
    competing_products = forms.CharField(label=_("Competing products sold"), required=False, max_length=4000,
                                         widget=forms.Textarea(attrs={"rows": 3}),
                                         help_text=_("One product per line."))
    language = forms.ChoiceField(label=_("Language"))
    time_zone = forms.ChoiceField(label=_("Time zone"))
    currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["time_zone"].choices = TIME_ZONE_CHOICES


class PersonInviteForm(forms.Form):
    """A vendor adds a person to a partner's account; they get an email to choose a password."""

    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Role"), initial=Role.PARTNER_USER.value, choices=[
        (Role.PARTNER_USER.value, _("Partner user")), (Role.PARTNER_ADMIN.value, _("Partner admin"))])
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)
