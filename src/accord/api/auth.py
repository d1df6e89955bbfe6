"""Who is calling: an integration token (Authorization: Bearer …) or the browser's session with CSRF."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from accord.api.services import api_token_authenticate
from accord.partners.models import User


class TokenAuth(HttpBearer):
    """A token acts as its owner, so a partner user's token sees exactly what that user sees."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in browser user (CSRF is checked for unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if user.is_authenticated and user.is_active else None


token_auth = TokenAuth()
session_auth = ActiveSessionAuth()
AUTH = [token_auth, session_auth]
