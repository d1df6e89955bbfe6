"""What commerce tells the automation engine: event types, date anchors and condition fields.

These names are a contract with the engine's rules and playbooks (dunning runs on `invoice.due_date`,
the incoming-goods notification on `reservation.goods_arrived`): rename nothing without a migration
of the rules that use them.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.automation import api as automation

EVENT_TYPES = {
    "commerce.Order": (
        ("order.placed", _("Order placed")),
        ("order.confirmed", _("Order confirmed")),
        ("order.rejected", _("Order rejected")),
        ("order.cancelled", _("Order cancelled")),
        ("order.partly_shipped", _("Order partly shipped")),
        ("order.shipped", _("Order shipped")),
        ("order.delivered", _("Order delivered")),
    ),
    "commerce.Quote": (
        ("quote.issued", _("Quote issued")),
    ),
    "commerce.Invoice": (
        ("invoice.issued", _("Invoice issued")),
        ("invoice.partially_paid", _("Invoice partially paid")),
        ("invoice.paid", _("Invoice paid")),
        ("invoice.credited", _("Credit note issued against an invoice")),
    ),
    "commerce.Payment": (
        ("payment.received", _("Payment received")),
    ),
    "commerce.InboundDelivery": (
        ("delivery.planned", _("Inbound delivery planned")),
        ("delivery.date_changed", _("Inbound delivery date changed")),
        ("stock.arrived", _("Stock arrived")),
    ),
    "commerce.StockLevel": (
        ("stock.updated", _("Stock level updated")),
    ),
    "commerce.Reservation": (
        ("reservation.made", _("Reservation made")),
        ("reservation.expired", _("Reservation expired")),
        ("reservation.cancelled", _("Reservation cancelled")),
        ("reservation.consumed", _("Reservation used by an order")),
        ("reservation.goods_arrived", _("Reserved goods arrived")),
    ),
    "commerce.ProductNotice": (
        ("product_notice.published", _("Product notice published")),
    ),
    "commerce.Product": (
        ("product.released", _("Product released")),
    ),
}

for subject, types in EVENT_TYPES.items():
    for name, label in types:
        automation.register_event_type(name, label=label, subject=subject)


def open_invoices() -> Q:
    """Invoices still owed: the engine's dunning stops as soon as this no longer matches."""
    return Q(status__in=["issued", "partially_paid"], kind="invoice")


def active_reservations() -> Q:
    return Q(status="active")


def open_deliveries() -> Q:
    return Q(status__in=["planned", "in_transit"])


def waiting_reservations() -> Q:
    """Reservations against an incoming delivery that has not arrived yet."""
    return Q(status="active", delivery_line__isnull=False,
             delivery_line__delivery__status__in=["planned", "in_transit"])


automation.register_date_anchor("invoice.due_date", label=_("Invoice due date"), model="commerce.Invoice",
                                field="due_date", open_filter=open_invoices)
automation.register_date_anchor("invoice.issue_date", label=_("Invoice issue date"), model="commerce.Invoice",
                                field="issue_date", open_filter=open_invoices)
automation.register_date_anchor("reservation.expires_at", label=_("Reservation expiry"),
                                model="commerce.Reservation", field="expires_at", open_filter=active_reservations)
# Deliveries belong to no partner: rules on this anchor address vendor staff (or fan out through
# `reservation.delivery_expected_on`, which does carry the partner who reserved).
automation.register_date_anchor("delivery.expected_on", label=_("Inbound delivery expected date"),
                                model="commerce.InboundDelivery", field="expected_on", partner_field="",
                                open_filter=open_deliveries)
automation.register_date_anchor("reservation.delivery_expected_on",
                                label=_("Expected arrival of reserved incoming goods"),
                                model="commerce.Reservation", field="delivery_line__delivery__expected_on",
                                open_filter=waiting_reservations)

INVOICE_STATUSES = (("issued", _("Open")), ("partially_paid", _("Partially paid")), ("paid", _("Paid")),
                    ("cancelled", _("Cancelled")))
ORDER_STATUSES = (("placed", _("Placed")), ("confirmed", _("Confirmed")), ("partly_shipped", _("Partly shipped")),
                  ("shipped", _("Shipped")), ("delivered", _("Delivered")), ("rejected", _("Rejected")),
                  ("cancelled", _("Cancelled")))

for name, label, model, kind, path, choices in (
    ("invoice.open_amount", _("Invoice open amount"), "commerce.Invoice", "number", "open_amount", ()),
    ("invoice.total", _("Invoice total"), "commerce.Invoice", "number", "total", ()),
    ("invoice.currency", _("Invoice currency"), "commerce.Invoice", "text", "currency", ()),
    ("invoice.status", _("Invoice status"), "commerce.Invoice", "choice", "status", INVOICE_STATUSES),
    ("invoice.due_date", _("Invoice due date"), "commerce.Invoice", "date", "due_date", ()),
    # Negative before the due date, 0 on it, positive after: see commerce/lookups.py.
    ("invoice.days_overdue", _("Days past due"), "commerce.Invoice", "number", "due_date__days_since", ()),
    ("invoice.number", _("Invoice number"), "commerce.Invoice", "text", "number", ()),
    ("order.total", _("Order total"), "commerce.Order", "number", "total", ()),
    ("order.currency", _("Order currency"), "commerce.Order", "text", "currency", ()),
    ("order.status", _("Order status"), "commerce.Order", "choice", "status", ORDER_STATUSES),
    ("order.placed_at", _("Order placed at"), "commerce.Order", "datetime", "placed_at", ()),
    ("payment.amount", _("Payment amount"), "commerce.Payment", "number", "amount", ()),
    ("payment.currency", _("Payment currency"), "commerce.Payment", "text", "currency", ()),
    ("reservation.quantity", _("Reserved quantity"), "commerce.Reservation", "number", "quantity", ()),
    ("reservation.status", _("Reservation status"), "commerce.Reservation", "choice", "status",
     (("active", _("Active")), ("consumed", _("Used by an order")), ("expired", _("Expired")),
      ("cancelled", _("Cancelled")))),
    ("reservation.product_sku", _("Reserved product SKU"), "commerce.Reservation", "text", "product__sku", ()),
    ("delivery.expected_on", _("Delivery expected on"), "commerce.InboundDelivery", "date", "expected_on", ()),
    ("delivery.status", _("Delivery status"), "commerce.InboundDelivery", "choice", "status",
     (("planned", _("Planned")), ("in_transit", _("In transit")), ("arrived", _("Arrived")),
      ("cancelled", _("Cancelled")))),
    ("product_notice.severity", _("Notice severity"), "commerce.ProductNotice", "choice", "severity",
     (("low", _("Low")), ("medium", _("Medium")), ("high", _("High")), ("critical", _("Critical")))),
    ("product_notice.kind", _("Notice kind"), "commerce.ProductNotice", "choice", "kind",
     (("known_issue", _("Known issue")), ("defect", _("Defect")), ("workaround", _("Workaround")),
      ("advisory", _("Advisory")))),
):
    automation.register_condition_field(name, label=label, model=model, kind=kind, path=path, choices=choices)


def _expire_reservations(*, now) -> int:
    from accord.commerce.services import reservations_expire

    return reservations_expire(now=now)


automation.register_housekeeping("commerce.expire_reservations", handler=_expire_reservations)
