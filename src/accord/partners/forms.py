"""Form plumbing every face and domain shares (partners core is the layer they may all import)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form that collected the input: errors of a field the form
    shows go next to it, everything else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)
