"""Console pages for commerce: order confirmation queue, receivables by partner and ageing, stock and
inbound deliveries, imports and exports. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.commerce import imports, selectors, services
from accord.commerce.forms import (
    CamReservationForm,
    CreditNoteForm,
    DeliveryPlanForm,
    ImportForm,
    PaymentForm,
    RejectForm,
    RescheduleForm,
    ShipmentForm,
)
from accord.commerce.models import Order
from accord.console.access import vendor_required
from accord.partners import selectors as partner_selectors
from accord.partners.forms import apply_service_errors
from accord.partners.roles import Role

PAGE_SIZE = 25
ORDER_ROLES = (Role.CHANNEL_MANAGER,)
FINANCE_ROLES = (Role.FINANCE_APPROVER,)


def _page(request: HttpRequest, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@vendor_required
def order_queue(request: HttpRequest) -> HttpResponse:
    """Placed orders waiting for a decision, oldest first; other statuses by filter."""
    status = request.GET.get("status", Order.Status.PLACED)
    if status == Order.Status.PLACED:
        orders = selectors.orders_awaiting_confirmation(request.user)
    else:
        orders = selectors.orders_for(request.user, status=status, search=request.GET.get("search", "").strip())
    return render(request, "console/commerce/orders.html", {
        "page": _page(request, orders), "status": status, "statuses": Order.Status.choices,
        "reject_form": RejectForm()})


@vendor_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    """Decide, ship and invoice one order. POST `action`: confirm, reject, ship, invoice."""
    order = selectors.order_get(request.user, order_id)
    reject_form, ship_form = RejectForm(), ShipmentForm(order=order)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not request.user.has_role(Role.VENDOR_ADMIN, *ORDER_ROLES, *FINANCE_ROLES):
            raise Http404
        try:
            if action == "confirm":
                services.order_confirm(actor=request.user, order=order)
                messages.success(request, _("Order %(number)s is confirmed.") % {"number": order.number})
                return _after_decision(request, order)
            if action == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    services.order_reject(actor=request.user, order=order, reason=reject_form.cleaned_data["reason"])
                    messages.success(request, _("Order %(number)s is rejected; the partner sees your reason.")
                                     % {"number": order.number})
                    return _after_decision(request, order)
            elif action == "ship":
                ship_form = ShipmentForm(request.POST, order=order)
                if ship_form.is_valid():
                    data = ship_form.cleaned_data
                    shipment = services.shipment_create(
                        actor=request.user, order=order, warehouse=data["warehouse"], quantities=ship_form.quantities(),
                        carrier=data["carrier"], tracking_number=data["tracking_number"],
                        tracking_url=data["tracking_url"])
                    messages.success(request, _("Shipment %(number)s is recorded.") % {"number": shipment.number})
                    return redirect("console:commerce_order", order_id=order.pk)
            elif action == "invoice":
                invoice = services.invoice_from_order(actor=request.user, order=order)
                messages.success(request, _("Invoice %(number)s is issued.") % {"number": invoice.number})
                return redirect("console:commerce_invoice", invoice_id=invoice.pk)
            elif action == "delivered":
                for shipment in order.shipments.filter(delivered_at__isnull=True):
                    services.shipment_deliver(actor=request.user, shipment=shipment)
                return redirect("console:commerce_order", order_id=order.pk)
        except ValidationError as error:
            target = reject_form if action == "reject" else ship_form
            apply_service_errors(target, error)
            if action not in ("reject", "ship"):
                messages.error(request, " ".join(error.messages))
        if request.htmx and action == "reject":
            return render(request, "console/commerce/orders.html#queue_row",
                          {"order": order, "reject_form": reject_form})
    order = selectors.order_get(request.user, order_id)
    return render(request, "console/commerce/order.html", {
        "order": order, "reject_form": reject_form, "ship_form": ship_form,
        "stock": selectors.availability({line.product_id: line.open_quantity for line in order.lines.all()}),
        "account": selectors.partner_account(order.partner),
        "exposure": services.credit_exposure(order.partner, order.currency)})


def _after_decision(request: HttpRequest, order: Order) -> HttpResponse:
    if request.htmx:
        return render(request, "console/commerce/orders.html#queue_row",
                      {"order": selectors.order_get(request.user, order.pk), "decided": True})
    return redirect("console:commerce_order_queue")


@vendor_required
def receivables(request: HttpRequest) -> HttpResponse:
    """Open receivables by partner in ageing buckets, most overdue first, with totals per currency."""
    rows = selectors.receivables_by_partner(request.user, overdue_only=request.GET.get("overdue") == "1",
                                            search=request.GET.get("search", "").strip())
    return render(request, "console/commerce/receivables.html", {
        "page": _page(request, rows), "totals": selectors.ageing_totals(rows),
        "overdue": request.GET.get("overdue") == "1"})


@vendor_required
def partner_statement(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = partner_selectors.partner_get(request.user, partner_id)
    result = selectors.statement(request.user, partner, currency=request.GET.get("currency") or None)
    return render(request, "console/commerce/statement.html", {
        "partner": partner, "statement": result, "account": selectors.partner_account(partner),
        "invoices": selectors.invoices_for(request.user, status="open").filter(partner=partner).order_by("due_date"),
        "today": timezone.localdate()})


@vendor_required(roles=ORDER_ROLES)
def partner_reserve(request: HttpRequest, partner_id: int) -> HttpResponse:
    """A channel manager reserves stock (or incoming goods, by delivery reference) for a partner."""
    partner = partner_selectors.partner_get(request.user, partner_id)
    form = CamReservationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = selectors.product_by_sku(data["sku"])
        line = None
        if product is None:
            form.add_error("sku", _("Unknown SKU “%(sku)s”.") % {"sku": data["sku"]})
        elif data["delivery"]:
            line = next((c for c in selectors.incoming_for_product(product)
                         if c.delivery.reference == data["delivery"]), None)
            if line is None:
                form.add_error("delivery", _("No open delivery with this reference brings %(sku)s.")
                               % {"sku": product.sku})
        if form.is_valid():
            try:
                services.reservation_make(actor=request.user, partner=partner, product=product,
                                          quantity=data["quantity"], delivery_line=line, note=data["note"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("%(quantity)s × %(sku)s reserved for %(partner)s.")
                                 % {"quantity": data["quantity"], "sku": product.sku,
                                    "partner": partner.display_name})
                return redirect("console:partner_detail", partner_id=partner.pk)
    return render(request, "console/commerce/reserve.html", {"partner": partner, "form": form,
                                                             "reservations": selectors.reservations_for(
                                                                 request.user).filter(partner=partner)})


@vendor_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """An invoice with its payments and credits; finance records a payment or issues a credit note."""
    invoice = selectors.invoice_get(request.user, invoice_id)
    payment_form = PaymentForm(initial={"received_on": timezone.localdate(), "amount": invoice.open_amount})
    credit_form = CreditNoteForm()
    if request.method == "POST":
        if not request.user.has_role(Role.VENDOR_ADMIN, *FINANCE_ROLES):
            raise Http404
        action = request.POST.get("action", "")
        form = PaymentForm(request.POST) if action == "pay" else CreditNoteForm(request.POST)
        if action == "pay":
            payment_form = form
        else:
            credit_form = form
        if form.is_valid():
            try:
                if action == "pay":
                    services.payment_record(actor=request.user, invoice=invoice, **form.cleaned_data)
                    messages.success(request, _("The payment is recorded."))
                else:
                    note = services.credit_note_issue(actor=request.user, invoice=invoice, **form.cleaned_data)
                    messages.success(request, _("Credit note %(number)s is issued.") % {"number": note.number})
                return redirect("console:commerce_invoice", invoice_id=invoice.pk)
            except ValidationError as error:
                apply_service_errors(form, error)
    return render(request, "console/commerce/invoice.html", {
        "invoice": invoice, "payment_form": payment_form, "credit_form": credit_form,
        "today": timezone.localdate()})


@vendor_required
def stock(request: HttpRequest) -> HttpResponse:
    products = selectors.stock_overview(request.user, search=request.GET.get("search", "").strip(),
                                        low_only=request.GET.get("low") == "1")
    return render(request, "console/commerce/stock.html", {
        "page": _page(request, products), "statistics": selectors.delivery_statistics(),
        "low": request.GET.get("low") == "1"})


@vendor_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """Inbound deliveries with punctuality figures; POST plans a new one."""
    form = DeliveryPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines, unknown = {}, []
        for number, sku, quantity in data["lines"]:
            product = selectors.product_by_sku(sku)
            if product is None:
                unknown.append(_("Line %(number)s: unknown SKU “%(sku)s”.") % {"number": number, "sku": sku})
            else:
                lines[product] = quantity
        for message in unknown:
            form.add_error("lines", message)
        if not unknown:
            try:
                delivery = services.delivery_plan(actor=request.user, reference=data["reference"],
                                                  warehouse=data["warehouse"], expected_on=data["expected_on"],
                                                  supplier=data["supplier"], lines=lines)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Delivery %(reference)s is planned.") % {"reference": delivery.reference})
                return redirect("console:commerce_delivery", delivery_id=delivery.pk)
    status = request.GET.get("status", "open")
    return render(request, "console/commerce/deliveries.html", {
        "page": _page(request, selectors.deliveries(request.user, status=status,
                                                    search=request.GET.get("search", "").strip())),
        "status": status, "today": timezone.localdate(), "statistics": selectors.delivery_statistics(),
        "form": form})


@vendor_required
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """Reschedule or book in a delivery; its date history and who reserved from it."""
    delivery = selectors.delivery_get(request.user, delivery_id)
    form = RescheduleForm(initial={"expected_on": delivery.expected_on})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "reschedule":
                form = RescheduleForm(request.POST)
                if form.is_valid():
                    services.delivery_reschedule(actor=request.user, delivery=delivery, **form.cleaned_data)
                    messages.success(request, _("The expected date is changed; partners who reserved are told."))
                    return redirect("console:commerce_delivery", delivery_id=delivery.pk)
            elif action == "receive":
                received = {line.product_id: request.POST.get(f"received-{line.pk}", line.quantity)
                            for line in delivery.lines.all()}
                services.delivery_receive(actor=request.user, delivery=delivery, received=received)
                messages.success(request, _("The delivery is booked into stock."))
                return redirect("console:commerce_delivery", delivery_id=delivery.pk)
            elif action == "cancel":
                services.delivery_cancel(actor=request.user, delivery=delivery)
                messages.success(request, _("The delivery is cancelled and its reservations released."))
                return redirect("console:commerce_delivery", delivery_id=delivery.pk)
        except ValidationError as error:
            apply_service_errors(form, error)
            if action != "reschedule":
                messages.error(request, " ".join(error.messages))
    return render(request, "console/commerce/delivery.html", {"delivery": delivery, "form": form})


@vendor_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload an ERP file; all rows are applied or none, with every error by line and column."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = imports.import_file(kind=form.cleaned_data["kind"], data=upload.read(), filename=upload.name,
                                     actor=request.user)
        if result.ok:
            messages.success(request, _("%(rows)s rows imported: %(created)s created, %(updated)s updated, "
                                        "%(unchanged)s unchanged.") % {"rows": result.rows, "created": result.created,
                                                                       "updated": result.updated,
                                                                       "unchanged": result.unchanged})
            return redirect("console:commerce_imports")
    return render(request, "console/commerce/imports.html", {
        "form": form, "result": result, "kinds": imports.KINDS, "runs": selectors.import_runs(request.user)[:20]})


@vendor_required
def export(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in imports.KINDS:
        raise Http404
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(imports.export_xlsx(kind),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{kind}.xlsx"'
    else:
        response = HttpResponse(imports.export_csv(kind), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response


urlpatterns = [
    path("commerce/orders/", order_queue, name="commerce_order_queue"),
    path("commerce/orders/<int:order_id>/", order_detail, name="commerce_order"),
    path("commerce/receivables/", receivables, name="commerce_receivables"),
    path("commerce/receivables/<int:partner_id>/", partner_statement, name="commerce_partner_statement"),
    path("commerce/receivables/<int:partner_id>/reserve/", partner_reserve, name="commerce_partner_reserve"),
    path("commerce/invoices/<int:invoice_id>/", invoice_detail, name="commerce_invoice"),
    path("commerce/stock/", stock, name="commerce_stock"),
    path("commerce/deliveries/", deliveries, name="commerce_deliveries"),
    path("commerce/deliveries/<int:delivery_id>/", delivery_detail, name="commerce_delivery"),
    path("commerce/imports/", import_page, name="commerce_imports"),
    path("commerce/exports/", export, name="commerce_export"),
]
