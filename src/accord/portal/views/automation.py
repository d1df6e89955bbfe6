"""Portal pages for automation: the automated messages a partner's people received, and why."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from accord.automation import selectors, services
from accord.portal.access import partner_required

PAGE_SIZE = 20


@partner_required
def message_list(request: HttpRequest) -> HttpResponse:
    messages = selectors.messages_visible_to(request.user)
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "portal/automation/messages.html#results" if request.htmx else "portal/automation/messages.html"
    return render(request, template, {"page": page, "manager": selectors.human_for(request.user.partner_id)})


@partner_required
def message_detail(request: HttpRequest, automated_message_id: int) -> HttpResponse:
    message = selectors.message_get(request.user, automated_message_id)
    if message.recipient_id == request.user.pk and message.read_at is None:
        services.message_mark_read(user=request.user, message=message)
    return render(request, "portal/automation/message.html", {
        "message": message, "manager": selectors.human_for(request.user.partner_id)})


urlpatterns = [
    path("messages/", message_list, name="automation_messages"),
    path("messages/<int:automated_message_id>/", message_detail, name="automation_message_detail"),
]
