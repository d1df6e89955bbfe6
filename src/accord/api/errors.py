"""One error body for every 4xx: {"detail": message, "errors": [{"field": name, "message": text}]}.

Integrators write one error handler, and a person reading the response learns which field is wrong
in their own language. Bad input never becomes a 5xx.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

PARAM_SOURCES = {"body", "query", "path", "form", "header", "cookie", "file"}
BODY_PARAM = "payload"  # every endpoint names its body parameter `payload`


class FieldError(Schema):
    field: str | None
    message: str


class Error(Schema):
    detail: str
    errors: list[FieldError] = []


def body(detail: str, errors: Iterable[tuple[str | None, str]] = ()) -> dict:
    return {"detail": str(detail), "errors": [{"field": f, "message": str(m)} for f, m in errors]}


def error_response(status: int, detail: str, errors: Iterable[tuple[str | None, str]] = ()) -> JsonResponse:
    return JsonResponse(body(detail, errors), status=status, json_dumps_params={"ensure_ascii": False})


def _field_of(loc: Iterable) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in PARAM_SOURCES:
        source, parts = parts[0], parts[1:]
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts = parts[1:]
    return ".".join(parts) or None


def _message_of(error: dict) -> str:
    """Pydantic speaks English only; the common cases get a translated message."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "decimal_parsing": _("Enter a number."),
        "decimal_type": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_type": _("Enter text."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter an object."),
        "model_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "date_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_type": _("Enter a valid date (YYYY-MM-DD)."),
        "datetime_parsing": _("Enter a valid date and time (ISO 8601)."),
        "value_error": str(ctx.get("error", "")) or error.get("msg", ""),
    }
    if kind in messages:
        return messages[kind]
    if kind in {"string_too_long", "too_long"}:
        return _("Ensure this value has at most %(limit)s characters.") % {"limit": ctx.get("max_length", "")}
    if kind in {"string_too_short", "too_short"}:
        return _("Ensure this value has at least %(limit)s characters.") % {"limit": ctx.get("min_length", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Ensure this value is at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Ensure this value is at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt", ""))}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    return error.get("msg", _("Invalid value."))


def field_errors_from_django(error: DjangoValidationError) -> list[tuple[str | None, str]]:
    if hasattr(error, "error_dict"):
        return [(None if field == NON_FIELD_ERRORS else field, message)
                for field, messages in error.message_dict.items() for message in messages]
    return [(None, message) for message in error.messages]


def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [(_field_of(e.get("loc", ())), _message_of(e)) for e in exc.errors]
    return error_response(422, _("The request has invalid fields."), errors)


def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error_response(422, _("The request has invalid fields."), field_errors_from_django(exc))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, _("Not found."))


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, _("You do not have permission to do this."))


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        detail = _("Authentication required: send an API token (Authorization: Bearer …) or sign in.")
    elif isinstance(exc, AuthorizationError) or exc.status_code == 403:
        detail = (_("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value.")
                  if "CSRF" in exc.message else _("You do not have permission to do this."))
    elif isinstance(exc, Throttled):
        detail = _("Too many requests; try again in a minute.")
    elif exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")
    else:
        detail = exc.message
    response = error_response(exc.status_code, detail)
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(NinjaValidationError, _validation)
    api.add_exception_handler(DjangoValidationError, _django_validation)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(PermissionDenied, _forbidden)
    api.add_exception_handler(HttpError, _http_error)


def method_not_allowed(response: HttpResponse) -> HttpResponse:
    """Ninja answers a wrong method with a bare text 405; give it the common body, keeping Allow."""
    allowed = response.get("Allow", "")
    json = error_response(405, _("Method not allowed; use one of: %(methods)s.") % {"methods": allowed})
    json["Allow"] = allowed
    return json


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, _("There is no such API endpoint; see /api/v1/docs."))
