"""Forms of the commerce pages (portal and console). They only parse input; services validate the business."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.commerce.imports import KINDS
from accord.commerce.models import Warehouse


class QuantityForm(forms.Form):
    quantity = forms.CharField(label=_("Quantity"), max_length=12, initial="1",
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}))


class CatalogFilterForm(forms.Form):
    search = forms.CharField(label=_("Search"), required=False,
                             widget=forms.TextInput(attrs={"type": "search", "placeholder": _("SKU or name")}))
    category = forms.ChoiceField(label=_("Category"), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=1, max_value=1_000_000,
                                  help_text=_("Availability and price are shown for this many units."))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [(c.code, c.name) for c in categories]


class OrderForm(forms.Form):
    customer_reference = forms.CharField(label=_("Your reference (PO number)"), max_length=80, required=False)


class ReservationForm(forms.Form):
    quantity = forms.CharField(label=_("Quantity"), max_length=12)
    source = forms.CharField(label=_("From"), required=False,
                             help_text=_("Stock on hand, or a specific incoming delivery."))


class CamReservationForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=60)
    quantity = forms.CharField(label=_("Quantity"), max_length=12)
    delivery = forms.CharField(label=_("From incoming delivery (reference)"), max_length=60, required=False,
                               help_text=_("Leave empty to reserve stock on hand."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class ShipmentForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Ship from"), queryset=Warehouse.objects.filter(is_active=True))
    carrier = forms.CharField(label=_("Carrier"), max_length=80, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=80, required=False)
    tracking_url = forms.URLField(label=_("Tracking link"), required=False)

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(order.lines.all()) if order is not None else []
        for line in self.lines:
            self.fields[f"line-{line.pk}"] = forms.CharField(
                label=line.product.sku, required=False, initial=line.open_quantity,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}))

    def quantities(self) -> dict[int, str]:
        return {line.pk: self.cleaned_data.get(f"line-{line.pk}") or "0" for line in self.lines}


class DeliveryPlanForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=60)
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.filter(is_active=True))
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    expected_on = forms.DateField(label=_("Expected on"), widget=forms.DateInput(attrs={"type": "date"}))
    lines = forms.CharField(label=_("Products"), widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("One product per line: SKU and quantity, e.g. “SW-24G 40”."))

    def clean_lines(self) -> list[tuple[int, str, str]]:
        """(line number, SKU, quantity) per non-empty line; the service checks the quantities."""
        parsed = []
        for number, text in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = text.split()
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(_("Line %(number)s: write the SKU and the quantity, separated by a "
                                              "space.") % {"number": number})
            parsed.append((number, parts[0], parts[1]))
        if not parsed:
            raise forms.ValidationError(_("A delivery needs at least one product."))
        return parsed


class RescheduleForm(forms.Form):
    expected_on = forms.DateField(label=_("New expected date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class PaymentForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=20)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)


class CreditNoteForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file contains"), choices=[(k, v.label) for k, v in KINDS.items()])
    file = forms.FileField(label=_("CSV or XLSX file"))
