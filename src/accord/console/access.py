"""Who may open a console page: vendor staff only, optionally with one of the roles the page needs.

Anonymous visitors go to the login page; partner people get a 404, so the console's existence and its
URLs tell them nothing. Every console view in every domain is wrapped in `vendor_required`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from accord.partners.roles import Role


def vendor_required(view: Callable | None = None, *, roles: tuple[Role, ...] = ()) -> Callable:
    """Wrap a console view; `roles` narrows it to staff holding one of them (vendor admins always pass)."""

    def decorate(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or not user.is_vendor:
                raise Http404
            if roles and not user.has_role(Role.VENDOR_ADMIN, *roles):
                raise Http404
            return func(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
