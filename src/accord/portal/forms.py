"""Forms of the partner portal and the sign-in pages. They parse input; services decide and save."""

from __future__ import annotations

from decimal import Decimal

import pycountry
from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.partners import selectors
from accord.partners.geography import country_names
from accord.partners.models import TIME_ZONE_CHOICES, Partner, User
from accord.partners.roles import Role
from accord.partners.services import PROFILE_FIELDS

COMPETING_PRODUCT_MAX_LENGTH = 120


def _babel_locale() -> Locale:
    try:
        return Locale.parse(translation.get_language() or settings.LANGUAGE_CODE, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def country_choices() -> list[tuple[str, str]]:
    """ISO countries named in the reader's language, sorted by that name."""
    names = country_names(translation.get_language() or settings.LANGUAGE_CODE)
    return sorted(names.items(), key=lambda choice: choice[1].casefold())


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 currencies in use, named in the reader's language."""
    locale = _babel_locale()
    codes = sorted(c.alpha_3 for c in pycountry.currencies if not c.alpha_3.startswith("X"))
    return [(code, f"{code} · {get_currency_name(code, locale=locale)}") for code in codes]


class LoginForm(AuthenticationForm):
    """Email and password; django-axes counts the failures."""

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget = forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})

    def clean_username(self) -> str:
        """Emails are stored in lower case; people type them however they like."""
        return (self.cleaned_data.get("username") or "").strip().lower()


class PasswordResetRequestForm(PasswordResetForm):
    """Mails the reset link in the person's own language; invited people who lost the invitation may use it."""

    def get_users(self, email: str):
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:
        language = context["user"].language
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)


class ProfileForm(forms.Form):
    """The company profile a partner admin keeps up to date; identity checks run in `partner_update`."""

    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    trading_name = forms.CharField(label=_("Trading name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Partner type"), choices=Partner.Kind.choices)
    size = forms.ChoiceField(label=_("Company size"), choices=Partner.Size.choices)
    employees = forms.IntegerField(label=_("Employees"), min_value=0, required=False)
    annual_revenue = forms.DecimalField(label=_("Annual revenue"), min_value=Decimal(0), max_digits=16,
                                        decimal_places=2, required=False)
    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    web_domain = forms.CharField(label=_("Web domain"), max_length=200, required=False,
                                 help_text=_("For example example.com"))
    tax_id = forms.CharField(label=_("Tax ID"), max_length=40, required=False,
                             help_text=_("As registered in your country, e.g. the VAT number or NIP."))
    email = forms.EmailField(label=_("Company email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False,
                            help_text=_("With the country code, e.g. +49 40 1234567."))
    industries = forms.ModelMultipleChoiceField(label=_("Industries served"), required=False,
                                                queryset=selectors.industries(),
                                                widget=forms.CheckboxSelectMultiple)
    specialisations = forms.ModelMultipleChoiceField(label=_("Specialisations"), required=False,
                                                     queryset=selectors.specialisations(),
                                                     widget=forms.CheckboxSelectMultiple)
    competing_products = forms.CharField(label=_("Competing products you sell"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 4}),
                                         help_text=_("One product per line."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    currency = forms.ChoiceField(label=_("Currency"))

    def __init__(self, *args, partner: Partner, **kwargs) -> None:
        initial = {name: getattr(partner, name) for name in PROFILE_FIELDS}
        initial["industries"] = list(partner.industries.all())
        initial["specialisations"] = list(partner.specialisations.all())
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["country"].choices = country_choices()
        self.fields["currency"].choices = currency_choices()
        for name in ("country", "currency", "time_zone"):
            # A value outside the choices (e.g. an old default) must be chosen anew, not silently replaced
            # by whatever the browser shows first.
            if initial[name] not in dict(self.fields[name].choices):
                self.fields[name].choices = [("", "—"), *self.fields[name].choices]

    def clean_competing_products(self) -> str:
        """One product per line: blank lines and repeats dropped, each line a product name of sensible length."""
        products: list[str] = []
        errors = []
        for number, line in enumerate(self.cleaned_data["competing_products"].splitlines(), start=1):
            product = " ".join(line.split())
            if not product or product.casefold() in {p.casefold() for p in products}:
                continue
            if len(product) > COMPETING_PRODUCT_MAX_LENGTH:
                errors.append(ValidationError(
                    _("Line %(line)s is longer than %(limit)s characters: write one product per line."),
                    code="too_long", params={"line": number, "limit": COMPETING_PRODUCT_MAX_LENGTH}))
            products.append(product)
        if errors:
            raise ValidationError(errors)
        return "\n".join(products)

    def changes(self) -> dict:
        """The profile fields the admin changed, as `partner_update` takes them."""
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS if name in self.changed_data}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), initial=Role.PARTNER_USER.value, choices=[
        (Role.PARTNER_USER.value, _("Partner user")), (Role.PARTNER_ADMIN.value, _("Partner admin"))],
        help_text=_("Partner admins also edit the company profile and manage the team."))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class ManagerMessageForm(forms.Form):
    subject = forms.CharField(label=pgettext_lazy("message", "Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))



class AccountForm(forms.Form):
    """A person's own details; the language is also the language of every email they get."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False,
                            help_text=_("With the country code, e.g. +49 40 1234567."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES,
                                 help_text=_("Of the portal and of the emails you receive."))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, initial={name: getattr(user, name) for name in self.base_fields}, **kwargs)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}
