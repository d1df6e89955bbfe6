"""The public partner application form: any company can apply, no login needed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accord.partners import selectors, services
from accord.partners.geography import country_names
from accord.partners.models import Partner

MESSAGE_MAX = 2000
SUBMISSIONS_PER_HOUR = 5


def _countries() -> list[tuple[str, str]]:
    """Countries by their name in the visitor's language, sorted by that name."""
    rows = country_names(get_language() or "en").items()
    return [("", _("Choose a country")), *sorted(rows, key=lambda row: row[1])]


class ApplicationForm(forms.Form):
    """Company, contact and the qualification questions; identity checks happen in `application_submit`."""

    legal_name = forms.CharField(label=_("Legal name of the company"), max_length=200)
    kind = forms.ChoiceField(label=_("What kind of partner are you?"), choices=Partner.Kind.choices)
    size = forms.ChoiceField(label=_("Company size"), choices=Partner.Size.choices)
    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(label=_("Region or state"), max_length=120, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    web_domain = forms.CharField(label=_("Website"), max_length=200, required=False,
                                 help_text=_("For example example.com"))
    tax_id = forms.CharField(label=_("Tax ID"), max_length=40, required=False,
                             help_text=_("The company's tax number in its country (e.g. NIP, INN, NPWP, EIN, VAT)."))
    industries = forms.ModelMultipleChoiceField(label=_("Industries you serve"), required=False,
                                                queryset=selectors.industries(),
                                                widget=forms.CheckboxSelectMultiple)
    specialisations = forms.ModelMultipleChoiceField(label=_("Your specialisations"), required=False,
                                                     queryset=selectors.specialisations(),
                                                     widget=forms.CheckboxSelectMultiple)
    contact_first_name = forms.CharField(label=_("First name"), max_length=150)
    contact_last_name = forms.CharField(label=_("Last name"), max_length=150)
    contact_email = forms.EmailField(label=_("Email"), max_length=254)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    message = forms.CharField(label=_("Anything else we should know?"), max_length=MESSAGE_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    COMPANY = ("legal_name", "kind", "size", "country", "region", "city", "street", "postal_code", "web_domain",
               "tax_id", "industries", "specialisations")
    CONTACT = ("contact_first_name", "contact_last_name", "contact_email", "contact_phone", "language", "message")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or settings.LANGUAGE_CODE
        self.fields["country"].choices = _countries()
        self.fields["language"].initial = language if language in dict(settings.LANGUAGES) else "en"
        self.questions = list(selectors.qualification_questions())
        for question in self.questions:
            text, help_text, choices = question.localized(language)
            self.fields[f"question_{question.pk}"] = forms.ChoiceField(
                label=text, help_text=help_text, choices=choices, widget=forms.RadioSelect)

    def section(self, names: tuple[str, ...]) -> list:
        return [self[name] for name in names]

    @property
    def company_fields(self) -> list:
        return self.section(self.COMPANY)

    @property
    def contact_fields(self) -> list:
        return self.section(self.CONTACT)

    @property
    def question_fields(self) -> list:
        return [self[f"question_{q.pk}"] for q in self.questions]

    def clean(self) -> dict:
        """Also run the service's checks on whatever is valid so far, so all problems show in one round."""
        cleaned = super().clean()
        if self.errors:
            data = {name: value for name, value in cleaned.items()
                    if name not in {"industries", "specialisations"} and not name.startswith("question_")}
            answers = {name.removeprefix("question_"): value for name, value in cleaned.items()
                       if name.startswith("question_")}
            for field, messages in services.application_check(answers=answers, **data).items():
                if field in self.fields and field not in self.errors and field in cleaned:
                    self.add_error(field, messages)
        return cleaned

    def submission(self) -> dict:
        """Keyword arguments for `application_submit`."""
        data = dict(self.cleaned_data)
        answers = {name.removeprefix("question_"): data.pop(name) for name in list(data)
                   if name.startswith("question_")}
        return {"answers": answers, **data}


def _submissions_key(request: HttpRequest) -> str:
    return f"accord:apply:{request.META.get('REMOTE_ADDR', '')}"


def apply(request: HttpRequest) -> HttpResponse:
    """The form; a few applications per address and hour are plenty for people, and stop floods."""
    if request.method == "POST" and cache.get(_submissions_key(request), 0) >= SUBMISSIONS_PER_HOUR:
        return render(request, "portal/recruitment/apply.html", {"form": ApplicationForm(), "throttled": True},
                      status=429)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(**form.submission())
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            key = _submissions_key(request)
            cache.add(key, 0, timeout=3600)
            cache.incr(key)
            return redirect("portal:apply_done")
    return render(request, "portal/recruitment/apply.html", {"form": form})


def apply_done(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/recruitment/done.html")


urlpatterns = [
    path("apply/", apply, name="apply"),
    path("apply/thanks/", apply_done, name="apply_done"),
]
