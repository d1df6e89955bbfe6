"""Integration tokens: an ERP, shop or CRM calls the API as the user who owns its token."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "acc_"  # noqa: S105 -- marks Accord keys in logs and secret scanners, not a secret


def token_digest(key: str) -> str:
    """Tokens are long random strings, so one SHA-256 is enough; only this digest is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    name = models.CharField(_("name"), max_length=120, help_text=_("What uses it, e.g. “ERP sync”."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                             related_name="api_tokens", help_text=_("The token acts as this user."))
    prefix = models.CharField(_("key prefix"), max_length=16, editable=False,
                              help_text=_("The start of the key, to recognise it; the rest is not stored."))
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
