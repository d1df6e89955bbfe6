"""What sales emits and exposes to the automation engine: event types, date anchors, condition fields."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.automation import api as automation

DEAL_EVENTS = (
    ("deal.registered", _("Deal registered")),
    ("deal.approved", _("Deal approved")),
    ("deal.rejected", _("Deal rejected")),
    ("deal.review_requested", _("Deal sent to conflict review")),
    ("deal.appealed", _("Deal rejection appealed")),
    ("deal.extension_requested", _("Deal protection extension requested")),
    ("deal.extended", _("Deal protection extended")),
    ("deal.stage_changed", _("Deal stage changed")),
    ("deal.expiring", _("Deal protection expiring")),
    ("deal.expired", _("Deal protection expired")),
    ("deal.won", _("Deal won")),
    ("deal.lost", _("Deal lost")),
)
LEAD_EVENTS = (
    ("lead.created", _("Lead received")),
    ("lead.routed", _("Lead routed to a partner")),
    ("lead.accepted", _("Lead accepted")),
    ("lead.declined", _("Lead declined")),
    ("lead.expired", _("Lead offer expired")),
    ("lead.unrouted", _("Lead needs a person to route it")),
    ("lead.converted", _("Lead converted to a deal")),
)

for name, label in DEAL_EVENTS:
    automation.register_event_type(name, label=label, subject="sales.Deal")
for name, label in LEAD_EVENTS:
    automation.register_event_type(name, label=label, subject="sales.Lead")


def _protected_open() -> Q:
    return Q(status="approved")


def _offer_pending() -> Q:
    return Q(status="pending")


automation.register_date_anchor("deal.protected_until", label=_("Deal protection ends"), model="sales.Deal",
                                field="protected_until", open_filter=_protected_open)
automation.register_date_anchor("deal.expected_close_date", label=_("Deal expected close date"),
                                model="sales.Deal", field="expected_close_date", open_filter=_protected_open)
automation.register_date_anchor("lead_offer.deadline", label=_("Lead answer deadline"), model="sales.LeadOffer",
                                field="deadline", open_filter=_offer_pending)

for name, label, kind, path in (
    ("deal.status", _("Deal status"), "choice", "status"),
    ("deal.stage", _("Deal stage"), "choice", "stage"),
    ("deal.value", _("Deal estimated value"), "number", "value"),
    ("deal.country", _("Deal customer country"), "text", "company_country"),
    ("deal.verdict", _("Deal conflict verdict"), "choice", "verdict"),
):
    automation.register_condition_field(name, label=label, model="sales.Deal", kind=kind, path=path)
for name, label, kind, path in (
    ("lead.status", _("Lead status"), "choice", "status"),
    ("lead.country", _("Lead country"), "text", "country"),
    ("lead.source", _("Lead source"), "choice", "source"),
    ("lead.routing_attempts", _("Lead routing attempts"), "number", "routing_attempts"),
):
    automation.register_condition_field(name, label=label, model="sales.Lead", kind=kind, path=path)


def _deal_portal_url(deal) -> str:
    from django.urls import reverse

    return reverse("portal:sales_deal", kwargs={"deal_id": deal.pk}) if deal.partner_id else ""


def _deal_console_url(deal) -> str:
    from django.urls import reverse

    return reverse("console:sales_deal", kwargs={"deal_id": deal.pk})


def _lead_portal_url(lead) -> str:
    from django.urls import reverse

    return reverse("portal:sales_lead_list") if lead.partner_id else ""


def _lead_console_url(lead) -> str:
    from django.urls import reverse

    return reverse("console:sales_lead", kwargs={"lead_id": lead.pk})


def _offer_portal_url(offer) -> str:
    from django.urls import reverse

    return reverse("portal:sales_lead", kwargs={"offer_id": offer.pk})


automation.register_subject("sales.Deal", label=lambda deal: f"{deal.number} · {deal.company_name}",
                            portal_url=_deal_portal_url, console_url=_deal_console_url)
automation.register_subject("sales.Lead", label=lambda lead: f"{lead.number} · {lead.company_name}",
                            portal_url=_lead_portal_url, console_url=_lead_console_url)
automation.register_subject("sales.LeadOffer", label=lambda offer: f"{offer.lead.number} · {offer.lead.company_name}",
                            portal_url=_offer_portal_url)
