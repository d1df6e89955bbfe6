"""Who may open a portal page: a partner's own people, optionally only its partner admins.

Anonymous visitors go to the login page and vendor staff to the console (the portal is not theirs).
Anyone else signed in (no partner role, deactivated) gets a 404. Every portal view in every domain
is wrapped in `partner_required`; objects are then read through selectors scoped to `user.partner_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect


def partner_required(view: Callable | None = None, *, admin: bool = False) -> Callable:
    """Wrap a portal view; `admin=True` narrows it to the partner's admins (others get a 404)."""

    def decorate(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                to_login = redirect_to_login(request.get_full_path())
                # An htmx swap would put the login page inside a card: send the whole window there instead.
                return HttpResponseClientRedirect(to_login["Location"]) if request.htmx else to_login
            if user.is_vendor:
                return redirect("console:dashboard")
            if not user.is_active or not user.is_partner_user:
                raise Http404
            if admin and not user.is_partner_admin:
                raise Http404
            return func(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
