"""Field validation for partner data: countries, tax IDs per country, phone numbers, web domains."""

from __future__ import annotations

import re

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError as StdnumError

# python-stdnum modules that identify a company for tax purposes, by country.
TAX_ID_MODULES = {
    "ru": "inn", "pl": "nip", "de": "vat", "id": "npwp", "us": "ein", "gb": "vat", "fr": "tva",
    "it": "iva", "es": "nif", "nl": "btw", "ua": "edrpou", "br": "cnpj", "in": "gstin", "cz": "dic",
    "at": "uid", "be": "vat", "se": "vat", "fi": "alv", "dk": "cvr", "no": "mva", "pt": "nif",
    "ch": "vat", "tr": "vkn", "mx": "rfc", "au": "abn", "ca": "bn", "kz": "bin", "my": "nric",
    "sg": "uen", "th": "tin", "vn": "mst", "cn": "uscc", "jp": "cn", "ro": "cui", "hu": "anum",
}
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$")


def country_code(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValidationError(_("“%(value)s” is not a known country code.") % {"value": value}, code="country")
    return code


def normalize_tax_id(country: str, value: str) -> str:
    """Return the compact tax ID, or raise naming the country's format when it is invalid."""
    value = (value or "").strip()
    if not value:
        return ""
    module_name = TAX_ID_MODULES.get(country.lower())
    if not module_name:
        return value.upper()
    module = get_cc_module(country.lower(), module_name)
    if module is None:
        return value.upper()
    try:
        return module.validate(value)
    except StdnumError:
        name = getattr(module, "__doc__", "").split("\n", 1)[0].split("(")[0].strip() or module_name.upper()
        raise ValidationError(
            _("“%(value)s” is not a valid %(name)s for %(country)s.")
            % {"value": value, "name": name, "country": country.upper()},
            code="tax_id",
        ) from None


def normalize_phone(value: str, country: str = "") -> str:
    """Return the phone in E.164, or raise when it cannot be a real number."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a valid phone number.") % {"value": value}, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_domain(value: str) -> str:
    """Accept `https://www.example.com/x` or `example.com`; keep the bare host name."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split(":", 1)[0]
    value = value.removeprefix("www.")
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(_("“%(value)s” is not a valid web domain.") % {"value": value},
                              code="web_domain") from None
    if not DOMAIN_RE.match(value):
        raise ValidationError(_("“%(value)s” is not a valid web domain.") % {"value": value}, code="web_domain")
    return value
