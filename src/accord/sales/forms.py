"""Forms of the sales pages (portal and console). They parse input; the services validate the business."""

from __future__ import annotations

import pycountry
from django import forms
from django.utils.translation import gettext_lazy as _

from accord.partners.models import Industry, Partner, Specialisation
from accord.sales.models import Deal, Lead, SalesSettings


def country_choices() -> list[tuple[str, str]]:
    return [("", "—"), *sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])]


def _products():
    from accord.commerce.models import Product

    return Product.objects.exclude(lifecycle="end_of_life").order_by("name")


class DateInput(forms.DateInput):
    input_type = "date"


class DealForm(forms.Form):
    company_name = forms.CharField(label=_("End customer"), max_length=200, required=False,
                                   help_text=_("The company's legal or trading name, in any language."))
    company_country = forms.ChoiceField(label=_("Country"), required=False)
    company_city = forms.CharField(label=_("City"), max_length=120, required=False)
    company_domain = forms.CharField(label=_("Web domain"), max_length=200, required=False,
                                     widget=forms.TextInput(attrs={"placeholder": "example.com"}))
    company_tax_id = forms.CharField(label=_("Tax ID"), max_length=40, required=False)
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.all(), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.CharField(label=_("Contact email"), max_length=254, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    products = forms.ModelMultipleChoiceField(label=_("Products"), queryset=None, required=False)
    value = forms.CharField(label=_("Estimated value"), max_length=24, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    expected_close_date = forms.CharField(label=_("Expected close date"), required=False, widget=DateInput)
    stage = forms.ChoiceField(label=_("Stage"), choices=Deal.Stage.choices, initial=Deal.Stage.QUALIFICATION)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company_country"].choices = country_choices()
        self.fields["products"].queryset = _products()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(forms.Form):
    days = forms.CharField(label=_("Extra days"), max_length=4, initial="30",
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Deal.Stage.choices)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("won", _("Won")), ("lost", _("Lost"))])
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", _("Grant")), ("deny", _("Deny"))])
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConvertForm(forms.Form):
    value = forms.CharField(label=_("Estimated value"), max_length=24,
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    expected_close_date = forms.CharField(label=_("Expected close date"), widget=DateInput)
    stage = forms.ChoiceField(label=_("Stage"), choices=Deal.Stage.choices, initial=Deal.Stage.QUALIFICATION)
    company_domain = forms.CharField(label=_("Web domain"), max_length=200, required=False)
    company_tax_id = forms.CharField(label=_("Tax ID"), max_length=40, required=False)


class LeadForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.all(), required=False)
    size = forms.ChoiceField(label=_("Company size"), required=False)
    products = forms.ModelMultipleChoiceField(label=_("Product interest"), queryset=None, required=False)
    specialisations = forms.ModelMultipleChoiceField(label=_("Skills needed"),
                                                     queryset=Specialisation.objects.all(), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.CharField(label=_("Contact email"), max_length=254, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, public: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
        self.fields["size"].choices = [("", "—"), *Partner.Size.choices]
        self.fields["products"].queryset = _products()
        if public:
            del self.fields["specialisations"]
            # A field people never see; bots fill every field they find.
            self.fields["website"] = forms.CharField(required=False, label=_("Leave empty"),
                                                     widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                                   "tabindex": "-1"}))


class LeadImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "UTF-8, comma or semicolon separated. Columns: company_name, country, contact_name (required); city, "
        "industry (code), products (SKUs separated by commas), size, contact_email, contact_phone, message."))


class AssignForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.filter(
        status=Partner.Status.ACTIVE).order_by("legal_name"))


class LeadFilterForm(forms.Form):
    search = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Company, number, email")}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *Lead.Status.choices])
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("All sources")), *Lead.Source.choices])


class DealFilterForm(forms.Form):
    search = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Customer or number")}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All statuses")), ("open", _("Open")), *Deal.Status.choices])


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SalesSettings
        fields = ["protection_days", "extension_days", "duplicate_threshold", "review_threshold",
                  "match_window_days", "acceptance_hours", "max_routing_attempts", "default_capacity",
                  "working_day_start", "working_day_end", "weight_industry", "weight_geography", "weight_territory",
                  "weight_specialisation", "weight_certification", "weight_performance", "weight_tier",
                  "weight_load", "weight_fairness"]


class RoutingProfileForm(forms.Form):
    capacity = forms.IntegerField(label=_("Open-lead capacity"), min_value=0, max_value=10000)
    accepts_leads = forms.BooleanField(label=_("Accepts leads"), required=False)


class TerritoryForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(label=_("Region or city"), max_length=120, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()


class CertificationForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()


