"""Console pages for recruitment: the application review queue, approval and rejection."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from accord.console.access import vendor_required
from accord.console.forms.recruitment import ApplicationFilterForm, ApproveForm, RejectForm
from accord.partners import selectors, services
from accord.partners.forms import apply_service_errors
from accord.partners.models import Application
from accord.partners.roles import Role

PAGE_SIZE = 25


@vendor_required
def application_list(request: HttpRequest) -> HttpResponse:
    """The review queue: open applications with the best qualification score first."""
    form = ApplicationFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_bound and form.is_valid() else ""
    status = status or Application.Status.SUBMITTED
    applications = selectors.applications_for_review(request.user, status="" if status == "all" else status)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/recruitment/list.html", {"form": form, "page": page, "status": status})


@vendor_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    """One application with its answers, and the approve / reject decision while it is open."""
    application = selectors.application_get(request.user, application_id)
    own_book = request.user.has_role(Role.CHANNEL_MANAGER) and not request.user.is_superuser
    approve_form = ApproveForm(initial={"channel_manager": request.user.pk if own_book else None,
                                        "tier": selectors.tiers().first()})
    reject_form = RejectForm()
    may_decide = request.user.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)
    if request.method == "POST" and not may_decide:
        raise Http404
    if request.method == "POST":
        decision = request.POST.get("decision")
        form = ApproveForm(request.POST) if decision == "approve" else RejectForm(request.POST)
        if decision == "approve":
            approve_form = form
        else:
            reject_form = form
        if form.is_valid():
            try:
                if decision == "approve":
                    partner = services.application_approve(actor=request.user, application=application,
                                                           **form.cleaned_data)
                    messages.success(request, _("%(partner)s is now a partner (onboarding); its administrator "
                                                "has been invited by email.") % {"partner": partner})
                    return redirect("console:partner_detail", partner_id=partner.pk)
                services.application_reject(actor=request.user, application=application,
                                            reason=form.cleaned_data["reason"])
                messages.success(request, _("The application has been rejected and the applicant told why."))
                return redirect("console:application_list")
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    apply_service_errors(form, error)
                else:
                    for text in error.messages:
                        messages.error(request, text)
                application = selectors.application_get(request.user, application_id)
    return render(request, "console/recruitment/detail.html", {
        "application": application, "approve_form": approve_form, "reject_form": reject_form,
        "answers": list(application.answers.values()) if isinstance(application.answers, dict) else [],
        "may_decide": may_decide,
    })


urlpatterns = [
    path("applications/", application_list, name="application_list"),
    path("applications/<int:application_id>/", application_detail, name="application_detail"),
]
