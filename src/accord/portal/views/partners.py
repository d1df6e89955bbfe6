"""Portal pages for partners core: dashboard, company profile, team and the channel manager."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accord.partners import selectors, services
from accord.partners.forms import apply_service_errors
from accord.partners.geography import country_names
from accord.partners.models import User
from accord.partners.roles import PARTNER_ROLES, Role
from accord.portal.access import partner_required
from accord.portal.forms import (
    AccountForm,
    InviteForm,
    ManagerMessageForm,
    ProfileForm,
)

RECENT_MESSAGES = 3
MESSAGE_HISTORY = 20


@partner_required
def dashboard(request: HttpRequest) -> HttpResponse:
    partner = selectors.own_partner(request.user, with_lists=False)
    completeness, missing = selectors.partner_profile_completeness(partner)
    return render(request, "portal/dashboard.html", {
        "partner": partner,
        "completeness": completeness,
        "missing": missing,
        "team_size": selectors.team_size(request.user),
        "recent_messages": selectors.recent_manager_messages(request.user, RECENT_MESSAGES),
    })


@partner_required
def profile(request: HttpRequest) -> HttpResponse:
    partner = selectors.own_partner(request.user)
    return render(request, "portal/profile.html", {
        "partner": partner,
        "country_name": country_names(get_language() or settings.LANGUAGE_CODE).get(partner.country, partner.country),
        "language_name": dict(settings.LANGUAGES).get(partner.language, partner.language),
    })


@partner_required(admin=True)
def profile_edit(request: HttpRequest) -> HttpResponse:
    partner = selectors.own_partner(request.user)
    form = ProfileForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            industries = form.cleaned_data["industries"] if "industries" in form.changed_data else None
            specialisations = (form.cleaned_data["specialisations"] if "specialisations" in form.changed_data
                               else None)
            services.partner_update(actor=request.user, partner=partner, data=form.changes(),
                                    industries=industries, specialisations=specialisations)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The company profile is saved."))
            return redirect("portal:profile")
    return render(request, "portal/profile_edit.html", {"partner": partner, "form": form})


@partner_required
def team(request: HttpRequest) -> HttpResponse:
    return _team_page(request, InviteForm(initial={"language": get_language()}))


def _team_page(request: HttpRequest, invite_form: InviteForm) -> HttpResponse:
    return render(request, "portal/team.html", {
        "members": selectors.team_members(request.user),
        "invite_form": invite_form if request.user.is_partner_admin else None,
    })


@partner_required(admin=True)
@require_POST
def team_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            person = services.user_invite(
                actor=request.user, partner=request.user.partner, email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"], last_name=form.cleaned_data["last_name"],
                role=Role(form.cleaned_data["role"]), language=form.cleaned_data["language"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(email)s is invited: an email with a link to choose a password is on "
                                        "its way.") % {"email": person.email})
            return redirect("portal:team")
    return _team_page(request, form)


@partner_required(admin=True)
def member_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _member_change(request, user_id, services.user_deactivate, _("%(name)s can no longer sign in."))


@partner_required(admin=True)
def member_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _member_change(request, user_id, services.user_reactivate, _("%(name)s can sign in again."))


@partner_required(admin=True)
def member_role(request: HttpRequest, user_id: int) -> HttpResponse:
    def change(*, actor, user):
        role = request.POST.get("role", "")
        if role not in PARTNER_ROLES:
            raise ValidationError(_("Choose a partner role."))
        return services.user_change_role(actor=actor, user=user, role=Role(role))

    return _member_change(request, user_id, change, _("%(name)s has a new role."))


@partner_required(admin=True)
def member_invitation(request: HttpRequest, user_id: int) -> HttpResponse:
    return _member_change(request, user_id, services.user_invitation_resend,
                          _("A new invitation is on its way to %(name)s."))


def _member_change(request: HttpRequest, user_id: int, change: Callable[..., User], done: str) -> HttpResponse:
    """Change one colleague (active, role, invitation); htmx swaps their row, a plain form gets the whole page."""
    member = selectors.colleague_get(request.user, user_id)  # before the method check: others' ids are 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    error = ""
    try:
        member = change(actor=request.user, user=member)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.htmx:
        return render(request, "portal/team.html#member", {
            "member": member, "row_error": error, "row_done": "" if error else done % {"name": member}})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done % {"name": member})
    return redirect("portal:team")


@partner_required
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own details: name, phone, job title, language and time zone."""
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_details(user=request.user, data=form.changes())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your details are saved."))
            response = redirect("portal:account")
            # The language switch's cookie wins over the saved language; keep the two in step.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"],
                                max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax")
            return response
    return render(request, "portal/account.html", {"form": form})


@partner_required
def manager(request: HttpRequest) -> HttpResponse:
    """Write to the channel manager: the card's form posts here (htmx swaps the card; without JS, a page)."""
    form = ManagerMessageForm(request.POST or None)
    sent = None
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.manager_message_send(sender=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            form = ManagerMessageForm()
            if not request.htmx:
                messages.success(request, _("Your message is on its way to %(name)s.") % {"name": sent.recipient})
                return redirect(_safe_next(request) or "portal:manager")
    if request.htmx:
        return render(request, "portal/channel_manager_card.html", {"manager_form": form, "sent": sent})
    return render(request, "portal/manager.html", {
        "manager_form": form, "sent_messages": selectors.manager_messages_sent(request.user)[:MESSAGE_HISTORY]})


def _safe_next(request: HttpRequest) -> str:
    """Back to the page the card was on, if that page is on this site."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return target if allowed else ""


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("company/", profile, name="profile"),
    path("company/edit/", profile_edit, name="profile_edit"),
    path("team/", team, name="team"),
    path("team/invite/", team_invite, name="team_invite"),
    path("team/<int:user_id>/deactivate/", member_deactivate, name="member_deactivate"),
    path("team/<int:user_id>/reactivate/", member_reactivate, name="member_reactivate"),
    path("team/<int:user_id>/role/", member_role, name="member_role"),
    path("team/<int:user_id>/invitation/", member_invitation, name="member_invitation"),
    path("account/", account, name="account"),
    path("manager/", manager, name="manager"),
]
