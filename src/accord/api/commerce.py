"""REST endpoints for commerce: catalog, prices, availability, cart, quotes, orders, invoices, payments,
statement and ageing, reservations, stock and inbound deliveries, imports and exports.

Reads go through `accord.commerce.selectors`, so a partner user's token sees exactly its own records
(another partner's object is a 404); vendor-only operations answer 403 to partner users.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from accord.api.errors import Error
from accord.api.pagination import Page, Paging, paginate
from accord.commerce import imports, selectors, services
from accord.commerce.models import Invoice, Order, Product, Reservation, Warehouse
from accord.commerce.pricing import NetPrice, round_money
from accord.partners.models import Partner, User
from accord.partners.roles import Role

router = Router(tags=["commerce"])
ERRORS = {401: Error, 403: Error, 404: Error, 422: Error}


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


def _vendor(user: User, *roles: Role) -> None:
    if not user.is_vendor or (roles and not user.has_role(Role.VENDOR_ADMIN, *roles)):
        raise PermissionDenied


def _partner_for(user: User, partner_id: int | None) -> Partner:
    """A partner user's own organisation; vendor staff name one with `partner_id`."""
    if user.partner_id is not None:
        if partner_id not in (None, user.partner_id):
            raise Http404
        return selectors.partner_of(user)
    _vendor(user)
    if partner_id is None:
        raise ValidationError({"partner_id": [_("Choose a partner.")]})
    return get_object_or_404(Partner, pk=partner_id)


def _product(user: User, sku: str) -> Product:
    product = selectors.catalog(user).filter(sku=sku).first()
    if product is None:
        raise ValidationError({"sku": [_("Unknown SKU “%(sku)s”.") % {"sku": sku}]})
    return product


# --- catalog, prices, availability ---

class ProductOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    category: str | None
    lifecycle: Product.Lifecycle
    release_date: datetime.date | None
    end_of_life_date: datetime.date | None
    unit: str

    @staticmethod
    def resolve_name(product: Product) -> str:
        return product.translated()[0]

    @staticmethod
    def resolve_description(product: Product) -> str:
        return product.translated()[1]

    @staticmethod
    def resolve_category(product: Product) -> str | None:
        return product.category.code if product.category_id else None


class PriceOut(Schema):
    product_id: int
    quantity: int
    currency: str
    list_price: Decimal | None
    unit_price: Decimal
    line_total: Decimal
    rule: str = Field(description="Which price list rule set the price, in the caller's language.")
    price_list_id: int | None


class AvailabilityOut(Schema):
    product_id: int
    requested: int
    available_now: int
    in_stock: bool
    earliest_date: datetime.date | None = Field(description="Today when in stock, else the day enough arrives; "
                                                            "null when no incoming delivery covers it.")
    incoming: list[dict]


class CatalogFilters(Schema):
    search: str = ""
    category: str = Field("", description="Category code.")
    lifecycle: Product.Lifecycle | None = None


def _price_out(price: NetPrice, product_id: int, quantity: int) -> dict:
    return {"product_id": product_id, "quantity": quantity, "currency": price.currency,
            "list_price": price.list_price and round_money(price.list_price, price.currency),
            "unit_price": price.unit_price, "line_total": round_money(price.unit_price * quantity, price.currency),
            "rule": price.explain(), "price_list_id": price.rule.price_list_id if price.rule else None}


def _availability_out(answer) -> dict:
    return {"product_id": answer.product_id, "requested": answer.requested, "available_now": answer.available_now,
            "in_stock": answer.in_stock, "earliest_date": answer.earliest_date,
            "incoming": [{"expected_on": date, "free": free, "reference": ref, "delivery_line_id": line_id}
                         for date, free, ref, line_id in answer.incoming]}


@router.get("/products", response={200: Page[ProductOut], **ERRORS}, summary="List products")
def product_list(request: HttpRequest, filters: Query[CatalogFilters], paging: Query[Paging]):
    return paginate(selectors.catalog(request.user, search=filters.search, category=filters.category,
                                      lifecycle=filters.lifecycle or ""), paging)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="Get a product")
def product_detail(request: HttpRequest, product_id: int):
    return selectors.product_get(request.user, product_id)


@router.get("/products/{product_id}/price", response={200: PriceOut, **ERRORS}, summary="Net price for a partner")
def product_price(request: HttpRequest, product_id: int, quantity: int = Query(1, ge=1),
                  partner_id: int | None = None):
    """The caller's net unit price and the rule behind it (vendor staff pass `partner_id`)."""
    product = selectors.product_get(request.user, product_id)
    partner = _partner_for(request.user, partner_id)
    price = selectors.prices_for(partner, [product], quantity=quantity)[product.pk]
    if price is None:
        raise ValidationError({"product_id": [_("%(sku)s has no price in %(currency)s.")
                                              % {"sku": product.sku, "currency": partner.currency}]})
    return _price_out(price, product.pk, quantity)


class CartLineIn(Input):
    sku: str = Field(max_length=60)
    quantity: int = Field(ge=1, le=1_000_000)


class AvailabilityIn(Input):
    lines: list[CartLineIn] = Field(min_length=1, max_length=500)


@router.post("/availability", response={200: list[AvailabilityOut], **ERRORS},
             summary="Availability and earliest dates for cart lines")
def availability(request: HttpRequest, payload: AvailabilityIn):
    """For each (SKU, quantity): free stock now, or the earliest day incoming deliveries cover it."""
    skus = {line.sku for line in payload.lines}
    products = {p.sku: p for p in selectors.catalog(request.user).filter(sku__in=skus)}
    unknown = sorted(skus - set(products))
    if unknown:
        raise ValidationError({"lines": [_("Unknown SKU(s): %(skus)s.") % {"skus": ", ".join(unknown)}]})
    wanted: dict[int, int] = {}
    for line in payload.lines:
        wanted[products[line.sku].pk] = wanted.get(products[line.sku].pk, 0) + line.quantity
    return [_availability_out(answer) for answer in selectors.availability(wanted).values()]


class NoticeOut(Schema):
    id: int
    product_id: int
    sku: str = Field(alias="product.sku")
    kind: str
    severity: str
    status: str
    title: str
    body: str
    workaround: str
    affected_versions: str
    fixed_in: str
    published_at: datetime.datetime | None


@router.get("/notices", response={200: Page[NoticeOut], **ERRORS}, summary="Product notices")
def notice_list(request: HttpRequest, paging: Query[Paging], subscribed_only: bool = False):
    return paginate(selectors.notices_for(request.user, subscribed_only=subscribed_only), paging)


@router.put("/products/{product_id}/subscription", response={204: None, **ERRORS},
            summary="Subscribe to a product's notices")
def notice_subscribe(request: HttpRequest, product_id: int):
    services.notice_subscribe(user=request.user, product=selectors.product_get(request.user, product_id))
    return Status(204, None)


@router.delete("/products/{product_id}/subscription", response={204: None, **ERRORS},
               summary="Unsubscribe from a product's notices")
def notice_unsubscribe(request: HttpRequest, product_id: int):
    services.notice_unsubscribe(user=request.user, product=selectors.product_get(request.user, product_id))
    return Status(204, None)


# --- cart, quotes, orders ---

class LineOut(Schema):
    sku: str = Field(alias="product.sku")
    quantity: int
    list_price: Decimal
    unit_price: Decimal
    line_total: Decimal
    price_rule: str


class QuoteOut(Schema):
    id: int
    number: str
    status: str
    currency: str
    total: Decimal
    valid_until: datetime.date | None
    lines: list[LineOut] = []

    @staticmethod
    def resolve_lines(quote) -> list:
        return getattr(quote, "line_list", None) or list(quote.lines.select_related("product"))


class CartLineSet(Input):
    sku: str = Field(max_length=60)
    quantity: int = Field(ge=0, le=1_000_000, description="0 removes the line.")


@router.get("/cart", response={200: QuoteOut | None, **ERRORS}, summary="The caller's cart")
def cart_detail(request: HttpRequest):
    return selectors.cart_for(request.user)


@router.put("/cart/lines", response={200: QuoteOut, **ERRORS}, summary="Set a cart line's quantity")
def cart_set(request: HttpRequest, payload: CartLineSet):
    cart = services.cart_set_quantity(user=request.user, product=_product(request.user, payload.sku),
                                      quantity=payload.quantity)
    return selectors.quote_get(request.user, cart.pk)


@router.post("/cart/quote", response={201: QuoteOut, **ERRORS}, summary="Turn the cart into a quote")
def cart_quote(request: HttpRequest):
    cart = selectors.cart_for(request.user)
    if cart is None:
        raise ValidationError({"lines": [_("The cart is empty.")]})
    return Status(201, selectors.quote_get(request.user, services.quote_issue(user=request.user, quote=cart).pk))


class OrderIn(Input):
    customer_reference: str = Field("", max_length=80)


class HistoryOut(Schema):
    status: str
    note: str
    changed_at: datetime.datetime


class ShipmentOut(Schema):
    number: str
    warehouse: str = Field(alias="warehouse.code")
    carrier: str
    tracking_number: str
    tracking_url: str
    shipped_at: datetime.datetime
    delivered_at: datetime.datetime | None


class OrderOut(Schema):
    id: int
    number: str
    partner_id: int
    status: Order.Status
    currency: str
    total: Decimal
    customer_reference: str
    payment_terms_days: int
    delivery_terms: str
    placed_at: datetime.datetime
    decided_at: datetime.datetime | None
    rejection_reason: str


class OrderDetailOut(OrderOut):
    lines: list[LineOut]
    history: list[HistoryOut]
    shipments: list[ShipmentOut]

    @staticmethod
    def resolve_lines(order: Order) -> list:
        return list(order.lines.all())

    @staticmethod
    def resolve_history(order: Order) -> list:
        return list(order.history.all())

    @staticmethod
    def resolve_shipments(order: Order) -> list:
        return list(order.shipments.all())


@router.post("/cart/order", response={201: OrderDetailOut, **ERRORS}, summary="Order the cart")
def cart_order(request: HttpRequest, payload: OrderIn):
    """Places the order after the credit limit check; the partner's reservations of these products are used."""
    cart = selectors.cart_for(request.user)
    if cart is None:
        raise ValidationError({"lines": [_("The cart is empty.")]})
    order = services.order_place(user=request.user, quote=cart, customer_reference=payload.customer_reference)
    return Status(201, selectors.order_get(request.user, order.pk))


@router.get("/quotes", response={200: Page[QuoteOut], **ERRORS}, summary="List quotes")
def quote_list(request: HttpRequest, paging: Query[Paging]):
    return paginate(selectors.quotes_for(request.user).prefetch_related("lines__product"), paging)


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **ERRORS}, summary="Get a quote")
def quote_detail(request: HttpRequest, quote_id: int):
    return selectors.quote_get(request.user, quote_id)


@router.post("/quotes/{quote_id}/order", response={201: OrderDetailOut, **ERRORS}, summary="Order a quote")
def quote_order(request: HttpRequest, quote_id: int, payload: OrderIn):
    quote = selectors.quote_get(request.user, quote_id)
    order = services.order_place(user=request.user, quote=quote, customer_reference=payload.customer_reference)
    return Status(201, selectors.order_get(request.user, order.pk))


class OrderFilters(Schema):
    status: Order.Status | None = None
    search: str = ""


@router.get("/orders", response={200: Page[OrderOut], **ERRORS}, summary="List orders")
def order_list(request: HttpRequest, filters: Query[OrderFilters], paging: Query[Paging]):
    return paginate(selectors.orders_for(request.user, status=filters.status or "", search=filters.search), paging)


@router.get("/orders/{order_id}", response={200: OrderDetailOut, **ERRORS}, summary="Get an order with tracking")
def order_detail(request: HttpRequest, order_id: int):
    return selectors.order_get(request.user, order_id)


class ReasonIn(Input):
    reason: str = Field("", max_length=2000)


@router.post("/orders/{order_id}/cancel", response={200: OrderDetailOut, **ERRORS}, summary="Cancel an order")
def order_cancel(request: HttpRequest, order_id: int, payload: ReasonIn):
    order = selectors.order_get(request.user, order_id)
    services.order_cancel(actor=request.user, order=order, reason=payload.reason)
    return selectors.order_get(request.user, order_id)


@router.post("/orders/{order_id}/confirm", response={200: OrderDetailOut, **ERRORS}, summary="Confirm an order")
def order_confirm(request: HttpRequest, order_id: int):
    order = selectors.order_get(request.user, order_id)
    _vendor(request.user, Role.CHANNEL_MANAGER)
    services.order_confirm(actor=request.user, order=order)
    return selectors.order_get(request.user, order_id)


@router.post("/orders/{order_id}/reject", response={200: OrderDetailOut, **ERRORS},
             summary="Reject an order with a reason")
def order_reject(request: HttpRequest, order_id: int, payload: ReasonIn):
    order = selectors.order_get(request.user, order_id)
    _vendor(request.user, Role.CHANNEL_MANAGER)
    services.order_reject(actor=request.user, order=order, reason=payload.reason)
    return selectors.order_get(request.user, order_id)


class ShipmentIn(Input):
    warehouse: str = Field(description="Warehouse code.")
    lines: dict[str, int] = Field(description="SKU -> quantity to ship.")
    carrier: str = Field("", max_length=80)
    tracking_number: str = Field("", max_length=80)
    tracking_url: str = Field("", max_length=200)


@router.post("/orders/{order_id}/shipments", response={201: OrderDetailOut, **ERRORS}, summary="Ship order lines")
def order_ship(request: HttpRequest, order_id: int, payload: ShipmentIn):
    order = selectors.order_get(request.user, order_id)
    _vendor(request.user, Role.CHANNEL_MANAGER)
    warehouse = Warehouse.objects.filter(code=payload.warehouse).first()
    if warehouse is None:
        raise ValidationError({"warehouse": [_("Unknown warehouse “%(code)s”.") % {"code": payload.warehouse}]})
    by_sku = {line.product.sku: line.pk for line in order.lines.all()}
    unknown = sorted(set(payload.lines) - set(by_sku))
    if unknown:
        raise ValidationError({"lines": [_("Not on this order: %(skus)s.") % {"skus": ", ".join(unknown)}]})
    services.shipment_create(actor=request.user, order=order, warehouse=warehouse,
                             quantities={by_sku[sku]: qty for sku, qty in payload.lines.items()},
                             carrier=payload.carrier, tracking_number=payload.tracking_number,
                             tracking_url=payload.tracking_url)
    return Status(201, selectors.order_get(request.user, order_id))


# --- invoices, payments, statement, ageing ---

class InvoiceOut(Schema):
    id: int
    number: str
    kind: Invoice.Kind
    partner_id: int
    order_id: int | None
    status: Invoice.Status
    currency: str
    total: Decimal
    open_amount: Decimal
    issue_date: datetime.date
    due_date: datetime.date
    days_overdue: int
    paid_on: datetime.date | None

    @staticmethod
    def resolve_days_overdue(invoice: Invoice) -> int:
        return invoice.days_overdue()


class InvoiceFilters(Schema):
    status: Literal["open", "overdue", "issued", "partially_paid", "paid", "cancelled"] | None = None
    kind: Invoice.Kind | None = None


@router.get("/invoices", response={200: Page[InvoiceOut], **ERRORS}, summary="List invoices and credit notes")
def invoice_list(request: HttpRequest, filters: Query[InvoiceFilters], paging: Query[Paging]):
    return paginate(selectors.invoices_for(request.user, status=filters.status or "", kind=filters.kind or ""),
                    paging)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="Get an invoice")
def invoice_detail(request: HttpRequest, invoice_id: int):
    return selectors.invoice_get(request.user, invoice_id)


class PaymentIn(Input):
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    currency: str | None = Field(None, max_length=3)
    received_on: datetime.date | None = None
    reference: str = Field("", max_length=80)
    external_id: str | None = Field(None, max_length=80)


class PaymentOut(Schema):
    id: int
    invoice_id: int
    partner_id: int
    currency: str
    amount: Decimal
    received_on: datetime.date
    reference: str
    external_id: str | None


@router.post("/invoices/{invoice_id}/payments", response={201: PaymentOut, **ERRORS},
             summary="Record a payment against an invoice")
def invoice_pay(request: HttpRequest, invoice_id: int, payload: PaymentIn):
    invoice = selectors.invoice_get(request.user, invoice_id)
    _vendor(request.user, Role.FINANCE_APPROVER)
    return Status(201, services.payment_record(actor=request.user, invoice=invoice, **payload.model_dump()))


class CreditIn(Input):
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    reason: str = Field(max_length=300)


@router.post("/invoices/{invoice_id}/credit-notes", response={201: InvoiceOut, **ERRORS},
             summary="Credit part or all of an invoice")
def invoice_credit(request: HttpRequest, invoice_id: int, payload: CreditIn):
    invoice = selectors.invoice_get(request.user, invoice_id)
    _vendor(request.user, Role.FINANCE_APPROVER)
    return Status(201, services.credit_note_issue(actor=request.user, invoice=invoice, **payload.model_dump()))


@router.get("/payments", response={200: Page[PaymentOut], **ERRORS}, summary="List payments")
def payment_list(request: HttpRequest, paging: Query[Paging]):
    return paginate(selectors.payments_for(request.user), paging)


class EntryOut(Schema):
    date: datetime.date
    kind: str
    reference: str
    due_date: datetime.date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal


class AgeingOut(Schema):
    partner_id: int | None = None
    currency: str | None = None
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_90_plus: Decimal
    total: Decimal


class StatementOut(Schema):
    partner_id: int
    currency: str
    start: datetime.date
    end: datetime.date
    opening_balance: Decimal
    closing_balance: Decimal
    entries: list[EntryOut]
    ageing: AgeingOut


@router.get("/statement", response={200: StatementOut, **ERRORS}, summary="Statement of account")
def statement(request: HttpRequest, partner_id: int | None = None, start: datetime.date | None = None,
              end: datetime.date | None = None, currency: str | None = None):
    """The caller's statement (vendor staff pass `partner_id`): entries with running balance and ageing."""
    partner = _partner_for(request.user, partner_id)
    result = selectors.statement(request.user, partner, start=start, end=end, currency=currency)
    return {"partner_id": partner.pk, "currency": result.currency, "start": result.start, "end": result.end,
            "opening_balance": result.opening_balance, "closing_balance": result.closing_balance,
            "entries": result.entries, "ageing": result.ageing}


@router.get("/ageing", response={200: list[AgeingOut], **ERRORS}, summary="Receivables ageing")
def ageing(request: HttpRequest):
    """Open amounts by partner and currency in ageing buckets: vendor staff see all partners, others their own."""
    if request.user.partner_id is not None:
        return selectors.partner_ageing(request.user, selectors.partner_of(request.user))
    _vendor(request.user)
    return selectors.ageing()


# --- reservations ---

class ReservationOut(Schema):
    id: int
    partner_id: int
    sku: str = Field(alias="product.sku")
    quantity: int
    warehouse: str | None = Field(None, alias="warehouse.code")
    delivery_line_id: int | None
    status: Reservation.Status
    expires_at: datetime.datetime
    order_id: int | None
    note: str


class ReservationIn(Input):
    sku: str = Field(max_length=60)
    quantity: int = Field(ge=1, le=1_000_000)
    warehouse: str | None = Field(None, description="Warehouse code; default: any with enough free stock.")
    delivery_line_id: int | None = Field(None, description="Reserve from this incoming delivery line instead.")
    partner_id: int | None = Field(None, description="Vendor staff reserve for a partner.")
    note: str = Field("", max_length=200)


@router.get("/reservations", response={200: Page[ReservationOut], **ERRORS}, summary="List reservations")
def reservation_list(request: HttpRequest, paging: Query[Paging], status: Reservation.Status | None = None):
    return paginate(selectors.reservations_for(request.user, status=status or ""), paging)


@router.post("/reservations", response={201: ReservationOut, **ERRORS}, summary="Reserve stock")
def reservation_create(request: HttpRequest, payload: ReservationIn):
    """Never over-reserves, even under concurrent requests; a refusal says how many are free."""
    product = _product(request.user, payload.sku)
    partner = _partner_for(request.user, payload.partner_id)
    warehouse = line = None
    if payload.warehouse:
        warehouse = Warehouse.objects.filter(code=payload.warehouse).first()
        if warehouse is None:
            raise ValidationError({"warehouse": [_("Unknown warehouse “%(code)s”.") % {"code": payload.warehouse}]})
    if payload.delivery_line_id is not None:
        line = next((c for c in selectors.incoming_for_product(product) if c.pk == payload.delivery_line_id), None)
        if line is None:
            raise ValidationError({"delivery_line_id": [_("No open delivery of this product has this line.")]})
    reservation = services.reservation_make(actor=request.user, partner=partner, product=product,
                                            quantity=payload.quantity, warehouse=warehouse, delivery_line=line,
                                            note=payload.note)
    return Status(201, selectors.reservation_get(request.user, reservation.pk))


@router.get("/reservations/{reservation_id}", response={200: ReservationOut, **ERRORS}, summary="Get a reservation")
def reservation_detail(request: HttpRequest, reservation_id: int):
    return selectors.reservation_get(request.user, reservation_id)


@router.delete("/reservations/{reservation_id}", response={204: None, **ERRORS}, summary="Release a reservation")
def reservation_release(request: HttpRequest, reservation_id: int):
    services.reservation_cancel(actor=request.user,
                                reservation=selectors.reservation_get(request.user, reservation_id))
    return Status(204, None)


# --- stock and inbound deliveries (vendor staff) ---

class StockOut(Schema):
    sku: str
    name: str
    on_hand: int
    reserved: int
    free: int


@router.get("/stock", response={200: Page[StockOut], **ERRORS}, summary="Stock per product")
def stock_list(request: HttpRequest, paging: Query[Paging], search: str = ""):
    return paginate(selectors.stock_overview(request.user, search=search), paging)


class StockIn(Input):
    warehouse: str
    sku: str
    on_hand: int = Field(ge=0)


@router.put("/stock", response={200: StockOut, **ERRORS}, summary="Set a counted stock level")
def stock_set(request: HttpRequest, payload: StockIn):
    _vendor(request.user)
    warehouse = Warehouse.objects.filter(code=payload.warehouse).first()
    if warehouse is None:
        raise ValidationError({"warehouse": [_("Unknown warehouse “%(code)s”.") % {"code": payload.warehouse}]})
    product = _product(request.user, payload.sku)
    services.stock_set(actor=request.user, warehouse=warehouse, product=product, on_hand=payload.on_hand)
    return selectors.stock_overview(request.user).get(pk=product.pk)


class DeliveryLineOut(Schema):
    id: int
    sku: str = Field(alias="product.sku")
    quantity: int
    reserved: int
    received_quantity: int | None


class DeliveryOut(Schema):
    id: int
    reference: str
    warehouse: str = Field(alias="warehouse.code")
    supplier: str
    status: str
    ordered_on: datetime.date
    expected_on: datetime.date
    first_expected_on: datetime.date
    arrived_on: datetime.date | None
    lines: list[DeliveryLineOut]

    @staticmethod
    def resolve_lines(delivery) -> list:
        return list(delivery.lines.all())


class DeliveryIn(Input):
    reference: str = Field(max_length=60)
    warehouse: str
    expected_on: datetime.date
    supplier: str = Field("", max_length=200)
    lines: dict[str, int] = Field(description="SKU -> quantity.")
    external_id: str | None = Field(None, max_length=80)


@router.get("/deliveries", response={200: Page[DeliveryOut], **ERRORS}, summary="Inbound deliveries")
def delivery_list(request: HttpRequest, paging: Query[Paging],
                  status: Literal["open", "planned", "in_transit", "arrived", "cancelled", ""] = "open"):
    return paginate(selectors.deliveries(request.user, status=status).prefetch_related("lines__product"), paging)


@router.post("/deliveries", response={201: DeliveryOut, **ERRORS}, summary="Plan an inbound delivery")
def delivery_create(request: HttpRequest, payload: DeliveryIn):
    _vendor(request.user)
    warehouse = Warehouse.objects.filter(code=payload.warehouse).first()
    if warehouse is None:
        raise ValidationError({"warehouse": [_("Unknown warehouse “%(code)s”.") % {"code": payload.warehouse}]})
    lines = {_product(request.user, sku): quantity for sku, quantity in payload.lines.items()}
    delivery = services.delivery_plan(actor=request.user, reference=payload.reference, warehouse=warehouse,
                                      expected_on=payload.expected_on, lines=lines, supplier=payload.supplier,
                                      external_id=payload.external_id)
    return Status(201, selectors.delivery_get(request.user, delivery.pk))


@router.get("/deliveries/{delivery_id}", response={200: DeliveryOut, **ERRORS}, summary="Get a delivery")
def delivery_detail(request: HttpRequest, delivery_id: int):
    return selectors.delivery_get(request.user, delivery_id)


class RescheduleIn(Input):
    expected_on: datetime.date
    reason: str = Field("", max_length=200)


@router.post("/deliveries/{delivery_id}/reschedule", response={200: DeliveryOut, **ERRORS},
             summary="Change a delivery's expected date")
def delivery_reschedule(request: HttpRequest, delivery_id: int, payload: RescheduleIn):
    delivery = selectors.delivery_get(request.user, delivery_id)
    services.delivery_reschedule(actor=request.user, delivery=delivery, **payload.model_dump())
    return selectors.delivery_get(request.user, delivery_id)


class ReceiveIn(Input):
    arrived_on: datetime.date | None = None
    received: dict[str, int] = Field(default_factory=dict, description="SKU -> counted quantity (default: all).")


@router.post("/deliveries/{delivery_id}/receive", response={200: DeliveryOut, **ERRORS},
             summary="Book a delivery into stock")
def delivery_receive(request: HttpRequest, delivery_id: int, payload: ReceiveIn):
    delivery = selectors.delivery_get(request.user, delivery_id)
    by_sku = {line.product.sku: line.product_id for line in delivery.lines.all()}
    unknown = sorted(set(payload.received) - set(by_sku))
    if unknown:
        raise ValidationError({"received": [_("Not on this delivery: %(skus)s.") % {"skus": ", ".join(unknown)}]})
    services.delivery_receive(actor=request.user, delivery=delivery, arrived_on=payload.arrived_on,
                              received={by_sku[sku]: qty for sku, qty in payload.received.items()})
    return selectors.delivery_get(request.user, delivery_id)


# --- imports and exports (vendor staff) ---

class ImportErrorOut(Schema):
    line: int
    column: str
    message: str


class ImportOut(Schema):
    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[ImportErrorOut]


ImportKind = Literal["products", "price_lists", "stock", "deliveries", "invoices", "payments"]


@router.post("/imports", response={201: ImportOut, 422: ImportOut, 401: Error, 403: Error},
             summary="Import a CSV or XLSX file (all rows or none)")
def import_upload(request: HttpRequest, kind: Form[ImportKind], file: File[UploadedFile]):
    """Every bad row is listed by line and column and nothing is saved; re-importing the same file is a no-op."""
    _vendor(request.user)
    result = imports.import_file(kind=kind, data=file.read(), filename=file.name or "upload.csv",
                                 actor=request.user)
    body = {"kind": kind, "rows": result.rows, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "errors": [e.as_dict() for e in result.errors]}
    return Status(201 if result.ok else 422, body)


@router.get("/exports", response={200: None, 401: Error, 403: Error, 422: Error}, summary="Export as CSV or XLSX")
def export(request: HttpRequest, kind: ImportKind, format: Literal["csv", "xlsx"] = "csv"):
    _vendor(request.user)
    if format == "xlsx":
        response = HttpResponse(imports.export_xlsx(kind), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        response = HttpResponse(imports.export_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.{format}"'
    return response
