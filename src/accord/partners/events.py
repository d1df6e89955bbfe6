"""Event types partners core emits, declared to the automation engine."""

from django.utils.translation import gettext_lazy as _

from accord.automation import api as automation

for name, label in (
    ("partner.created", _("Partner created")),
    ("partner.updated", _("Partner profile updated")),
    ("partner.status_changed", _("Partner status changed")),
    ("partner.tier_changed", _("Partner tier changed")),
    ("partner.logged_in", _("Partner user logged in")),
):
    automation.register_event_type(name, label=label, subject="partners.Partner")

for name, label in (
    ("application.submitted", _("Partner application submitted")),
    ("application.approved", _("Partner application approved")),
    ("application.rejected", _("Partner application rejected")),
):
    automation.register_event_type(name, label=label, subject="partners.Application")

automation.register_event_type("user.invited", label=_("Partner person invited"), subject="partners.User")

automation.register_date_anchor("partner.joined_on", label=_("Partner joined on"), model="partners.Partner",
                                field="joined_on", partner_field="pk")
for name, label, kind, path in (
    ("partner.country", _("Country"), "text", "country"),
    ("partner.status", _("Status"), "choice", "status"),
    ("partner.tier", _("Tier"), "text", "tier__code"),
    ("partner.size", _("Size"), "choice", "size"),
    ("partner.language", _("Language"), "text", "language"),
    ("partner.joined_on", _("Joined on"), "date", "joined_on"),
    ("partner.last_login", _("Last portal login"), "datetime", "last_portal_login"),
):
    automation.register_condition_field(name, label=label, model="partners.Partner", kind=kind, path=path)
