"""Roles are Django groups; these names are the contract between code, data migration and admin."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    VENDOR_ADMIN = "vendor_admin"
    CHANNEL_MANAGER = "channel_manager"
    FINANCE_APPROVER = "finance_approver"
    SUPPORT_AGENT = "support_agent"
    PARTNER_ADMIN = "partner_admin"
    PARTNER_USER = "partner_user"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.VENDOR_ADMIN: _("Vendor admin"),
    Role.CHANNEL_MANAGER: _("Channel account manager"),
    Role.FINANCE_APPROVER: _("Finance approver"),
    Role.SUPPORT_AGENT: _("Support agent"),
    Role.PARTNER_ADMIN: _("Partner admin"),
    Role.PARTNER_USER: _("Partner user"),
}

VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER, Role.FINANCE_APPROVER, Role.SUPPORT_AGENT})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER})
