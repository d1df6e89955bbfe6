"""Writes for integration tokens: the key is shown once at creation and never stored."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.api.models import TOKEN_PREFIX, ApiToken, token_digest
from accord.partners.models import User

LAST_USED_PRECISION = datetime.timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token acting as `user`; returns the token and its key, which cannot be shown again."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Give the token a name that says what uses it.")]
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = [_("The name is too long.")]
    if not user.is_active:
        errors["user"] = [_("%(email)s is deactivated.") % {"email": user.email}]
    if errors:
        raise ValidationError(errors)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(name=name, user=user, prefix=key[:10], key_digest=token_digest(key))
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoking is permanent: integrations holding the key get 401 from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active owner of an unrevoked token, recording its use at most once a minute."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("user").filter(key_digest=token_digest(key), revoked_at__isnull=True)
             .first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
