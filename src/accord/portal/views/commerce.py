"""Portal pages for commerce: catalog with prices and arrival dates, cart, quotes, orders, invoices,
statement, reservations and product notices. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.commerce import selectors, services
from accord.commerce.forms import CatalogFilterForm, OrderForm, QuantityForm, ReservationForm
from accord.commerce.models import Order, Reservation
from accord.partners.forms import apply_service_errors
from accord.portal.access import partner_required

PAGE_SIZE = 25


def _page(request: HttpRequest, items, size: int = PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


@partner_required
def catalog(request: HttpRequest) -> HttpResponse:
    """Products with the partner's price (and its rule) and when the wanted quantity can be had."""
    form = CatalogFilterForm(request.GET or None, categories=selectors.categories())
    filters = form.cleaned_data if form.is_valid() else {}
    quantity = filters.get("quantity") or 1
    page = _page(request, selectors.catalog(request.user, search=filters.get("search", ""),
                                            category=filters.get("category", "")))
    products = list(page.object_list)
    partner = selectors.partner_of(request.user)
    context = {
        "form": form, "page": page, "quantity": quantity, "partner": partner,
        "rows": _rows(partner, products, quantity),
    }
    template = "portal/commerce/catalog.html#results" if request.htmx else "portal/commerce/catalog.html"
    return render(request, template, context)


def _rows(partner, products, quantity: int) -> list[dict]:
    prices = selectors.prices_for(partner, products, quantity=quantity)
    stock = selectors.availability({p.pk: quantity for p in products})
    return [{"product": p, "price": prices[p.pk], "availability": stock[p.pk]} for p in products]


@partner_required
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    """One product: description, datasheets, price with quantity, availability and incoming deliveries,
    notices; forms to add to the cart, to reserve and to subscribe to notices."""
    product = selectors.product_get(request.user, product_id)
    cart_form = QuantityForm(prefix="cart")
    reserve_form = ReservationForm(prefix="reserve")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "subscribe":
            services.notice_subscribe(user=request.user, product=product)
            messages.success(request, _("You will be told about new notices for %(sku)s.") % {"sku": product.sku})
            return redirect("portal:commerce_product", product_id=product.pk)
        if action == "unsubscribe":
            services.notice_unsubscribe(user=request.user, product=product)
            messages.success(request, _("You will no longer be told about notices for %(sku)s.")
                             % {"sku": product.sku})
            return redirect("portal:commerce_product", product_id=product.pk)
        if action == "reserve":
            reserve_form = ReservationForm(request.POST, prefix="reserve")
            if reserve_form.is_valid() and _reserve(request, product, reserve_form):
                return redirect("portal:commerce_reservation_list")
        else:
            cart_form = QuantityForm(request.POST, prefix="cart")
            if cart_form.is_valid():
                try:
                    services.cart_set_quantity(user=request.user, product=product,
                                               quantity=cart_form.cleaned_data["quantity"], add=True)
                except ValidationError as error:
                    apply_service_errors(cart_form, error)
                else:
                    messages.success(request, _("%(sku)s is in your cart.") % {"sku": product.sku})
                    return redirect("portal:commerce_cart")
    quantity = _positive(request.GET.get("quantity"))
    partner = selectors.partner_of(request.user)
    price = selectors.prices_for(partner, [product], quantity=quantity)[product.pk]
    return render(request, "portal/commerce/product.html", {
        "product": product, "quantity": quantity, "price": price,
        "availability": selectors.availability({product.pk: quantity})[product.pk],
        "incoming": selectors.incoming_for_product(product),
        "notices": selectors.notices_for(request.user, product=product),
        "subscribed": product.pk in selectors.subscribed_product_ids(request.user),
        "cart_form": cart_form, "reserve_form": reserve_form,
    })


def _positive(value) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def _reserve(request: HttpRequest, product, form: ReservationForm) -> bool:
    source = form.cleaned_data.get("source") or ""
    line = None
    if source.startswith("delivery-"):
        line = next((candidate for candidate in selectors.incoming_for_product(product)
                     if f"delivery-{candidate.pk}" == source), None)
        if line is None:
            form.add_error("source", _("Choose stock on hand or one of the listed deliveries."))
            return False
    try:
        services.reservation_make(actor=request.user, product=product, quantity=form.cleaned_data["quantity"],
                                  delivery_line=line)
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    messages.success(request, _("Reserved for you for %(days)s days.") % {"days": services.RESERVATION_DAYS})
    return True


@partner_required
def cart(request: HttpRequest) -> HttpResponse:
    """The cart: change quantities, see availability per line, get a quote or order directly."""
    order_form = OrderForm(request.POST or None)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        current = selectors.cart_for(request.user)
        try:
            if action == "set":
                product = selectors.product_get(request.user, request.POST.get("product_id"))
                services.cart_set_quantity(user=request.user, product=product,
                                           quantity=request.POST.get("quantity", ""))
                return redirect("portal:commerce_cart")
            if current is None:
                raise ValidationError({"lines": [_("The cart is empty.")]})
            if action == "quote":
                quote = services.quote_issue(user=request.user, quote=current)
                messages.success(request, _("Quote %(number)s is valid until %(date)s.")
                                 % {"number": quote.number, "date": quote.valid_until})
                return redirect("portal:commerce_quote_detail", quote_id=quote.pk)
            if action == "order" and order_form.is_valid():
                order = services.order_place(user=request.user, quote=current,
                                             customer_reference=order_form.cleaned_data["customer_reference"])
                messages.success(request, _("Order %(number)s is placed; we will confirm it shortly.")
                                 % {"number": order.number})
                return redirect("portal:commerce_order_detail", order_id=order.pk)
            error = _("Choose what to do with the cart.")
        except ValidationError as failure:
            error = " ".join(failure.messages)
    current = selectors.cart_for(request.user)
    lines = current.line_list if current else []
    stock = selectors.availability({line.product_id: line.quantity for line in lines})
    partner = selectors.partner_of(request.user)
    return render(request, "portal/commerce/cart.html", {
        "cart": current, "lines": [(line, stock[line.product_id]) for line in lines], "order_form": order_form,
        "error": error, "account": selectors.partner_account(partner), "partner": partner,
        "exposure": services.credit_exposure(partner, partner.currency),
    })


@partner_required
def quote_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/commerce/quotes.html", {"page": _page(request, selectors.quotes_for(request.user))})


@partner_required
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = selectors.quote_get(request.user, quote_id)
    form = OrderForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_place(user=request.user, quote=quote,
                                         customer_reference=form.cleaned_data["customer_reference"])
        except ValidationError as failure:
            error = " ".join(failure.messages)
        else:
            messages.success(request, _("Order %(number)s is placed; we will confirm it shortly.")
                             % {"number": order.number})
            return redirect("portal:commerce_order_detail", order_id=order.pk)
    stock = selectors.availability({line.product_id: line.quantity for line in quote.line_list})
    return render(request, "portal/commerce/quote.html", {
        "quote": quote, "form": form, "error": error, "today": timezone.localdate(),
        "lines": [(line, stock[line.product_id]) for line in quote.line_list]})


@partner_required
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    orders = selectors.orders_for(request.user, status=status, search=request.GET.get("search", "").strip())
    return render(request, "portal/commerce/orders.html", {"page": _page(request, orders), "status": status,
                                                           "statuses": Order.Status.choices})


@partner_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    """Tracking: status history, shipments with carrier links, invoices; the partner may cancel early."""
    order = selectors.order_get(request.user, order_id)
    if request.method == "POST":
        try:
            services.order_cancel(actor=request.user, order=order, reason=request.POST.get("reason", "").strip())
        except ValidationError as failure:
            messages.error(request, " ".join(failure.messages))
        else:
            messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
        return redirect("portal:commerce_order_detail", order_id=order.pk)
    return render(request, "portal/commerce/order.html", {"order": order})


@partner_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    invoices = selectors.invoices_for(request.user, status="" if status == "all" else status)
    partner = selectors.partner_of(request.user)
    return render(request, "portal/commerce/invoices.html", {
        "page": _page(request, invoices), "status": status, "today": timezone.localdate(),
        "ageing": selectors.partner_ageing(request.user, partner)})


@partner_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_get(request.user, invoice_id)
    return render(request, "portal/commerce/invoice.html", {"invoice": invoice, "today": timezone.localdate()})


def _date_param(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@partner_required
def statement(request: HttpRequest) -> HttpResponse:
    """Statement of account for a period, with ageing; `?format=csv` downloads it."""
    partner = selectors.partner_of(request.user)
    today = timezone.localdate()
    end = _date_param(request.GET.get("end"), today)
    start = _date_param(request.GET.get("start"), end - datetime.timedelta(days=90))
    if start > end:
        start, end = end, start
    result = selectors.statement(request.user, partner, start=start, end=end,
                                 currency=request.GET.get("currency") or None)
    if request.GET.get("format") == "csv":
        return _statement_csv(result)
    return render(request, "portal/commerce/statement.html", {"statement": result})


def _statement_csv(result) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{result.start}-{result.end}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Date"), _("Document"), _("Reference"), _("Due date"), _("Debit"), _("Credit"), _("Balance")])
    writer.writerow([result.start, _("Opening balance"), "", "", "", "", result.opening_balance])
    labels = {"invoice": _("Invoice"), "credit_note": _("Credit note"), "payment": _("Payment")}
    for entry in result.entries:
        writer.writerow([entry.date, labels[entry.kind], entry.reference, entry.due_date or "", entry.debit or "",
                         entry.credit or "", entry.balance])
    writer.writerow([result.end, _("Closing balance"), "", "", "", "", result.closing_balance])
    return response


@partner_required
def reservation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Reservation.Status.ACTIVE)
    return render(request, "portal/commerce/reservations.html", {
        "page": _page(request, selectors.reservations_for(request.user, status="" if status == "all" else status)),
        "status": status})


@partner_required
def reservation_release(request: HttpRequest, reservation_id: int) -> HttpResponse:
    reservation = selectors.reservation_get(request.user, reservation_id)  # another partner's: 404, any method
    if request.method != "POST":
        return redirect("portal:commerce_reservation_list")
    try:
        services.reservation_cancel(actor=request.user, reservation=reservation)
    except ValidationError as failure:
        messages.error(request, " ".join(failure.messages))
    else:
        messages.success(request, _("The reservation is released."))
    return redirect("portal:commerce_reservation_list")


@partner_required
def notice_list(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    return render(request, "portal/commerce/notices.html", {
        "page": _page(request, selectors.notices_for(request.user, subscribed_only=mine)), "mine": mine,
        "subscribed": selectors.subscribed_product_ids(request.user)})


urlpatterns = [
    path("commerce/catalog/", catalog, name="commerce_catalog"),
    path("commerce/products/<int:product_id>/", product_detail, name="commerce_product"),
    path("commerce/cart/", cart, name="commerce_cart"),
    path("commerce/quotes/", quote_list, name="commerce_quote_list"),
    path("commerce/quotes/<int:quote_id>/", quote_detail, name="commerce_quote_detail"),
    path("commerce/orders/", order_list, name="commerce_order_list"),
    path("commerce/orders/<int:order_id>/", order_detail, name="commerce_order_detail"),
    path("commerce/invoices/", invoice_list, name="commerce_invoice_list"),
    path("commerce/invoices/<int:invoice_id>/", invoice_detail, name="commerce_invoice_detail"),
    path("commerce/statement/", statement, name="commerce_statement"),
    path("commerce/reservations/", reservation_list, name="commerce_reservation_list"),
    path("commerce/reservations/<int:reservation_id>/release/", reservation_release,
         name="commerce_reservation_release"),
    path("commerce/notices/", notice_list, name="commerce_notice_list"),
]
