"""Signing in and out, passwords, invitations and the language switch, for every face.

Mounted at the site root (`/accounts/…`, `/i18n/setlang/`) without a namespace, so `LOGIN_URL = "login"`
and `{% url 'set_language' %}` work everywhere. Templates live in templates/registration/ under names that
do not collide with the admin's own registration templates.
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accord.partners import services
from accord.portal.forms import LoginForm, PasswordResetRequestForm


class FaceMixin:
    """Pages signed-in people reach from their face keep that face's frame (portal or console)."""

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated and user.is_vendor:
            context["base_template"] = "console/base.html"
        elif user.is_authenticated and user.is_partner_user:
            context["base_template"] = "portal/base.html"
        else:
            context["base_template"] = "accord/base.html"
        return context


class PasswordChangeView(FaceMixin, LoginRequiredMixin, auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(FaceMixin, LoginRequiredMixin, auth_views.PasswordChangeDoneView):
    template_name = "registration/password_changed.html"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Choose a password from a reset or invitation link; the person is signed in straight away."""

    template_name = "registration/password_set.html"
    post_reset_login = True
    post_reset_login_backend = "accord.partners.backends.AccordBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Welcome!"))
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice for signed-in people (their emails follow)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and response.status_code in {200, 302}:
        # Django's view ignores an unknown language; then the saved one stays too.
        with suppress(ValidationError):
            services.user_set_language(user=request.user, language=language)
    return response


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(
        template_name="registration/login.html", authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(
        form_class=PasswordResetRequestForm, template_name="registration/password_reset.html",
        subject_template_name="registration/email/password_reset_subject.txt",
        email_template_name="registration/email/password_reset.txt",
        html_email_template_name="registration/email/password_reset.html"), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="registration/password_reset_sent.html"), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_reset_confirm"),
    path("accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_set_done.html"), name="password_reset_complete"),
    path("i18n/setlang/", set_language, name="set_language"),
]
