"""Console forms for the application review queue."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.partners import selectors
from accord.partners.models import Application
from accord.partners.roles import Role


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        (Application.Status.SUBMITTED, _("Waiting for a decision")),
        (Application.Status.APPROVED, _("Approved")),
        (Application.Status.REJECTED, _("Rejected")),
        ("all", _("All")),
    ])


class ApproveForm(forms.Form):
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=selectors.tiers(), required=False,
                                  empty_label=_("No tier"))
    channel_manager = forms.ModelChoiceField(label=_("Channel account manager"), required=False,
                                             queryset=selectors.vendor_staff(Role.CHANNEL_MANAGER).distinct(),
                                             empty_label=_("Unassigned"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the applicant)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))
