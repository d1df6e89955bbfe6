"""Every write in commerce: keyword-only, validated first, in one transaction, emitting its event last.

Views, the API, imports, the demo seeder and tests all come through here. Quantities that others may
race for (stock, incoming goods, an invoice's open amount) change only by conditional UPDATEs, so no
read-then-write can over-reserve or over-pay (ADR 0011).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from babel.numbers import is_currency
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.automation import api as automation
from accord.commerce.models import (
    OPEN_INVOICE_STATUSES,
    OPEN_ORDER_STATUSES,
    Category,
    DeliveryDateChange,
    InboundDelivery,
    InboundDeliveryLine,
    Invoice,
    InvoiceLine,
    ListPrice,
    NoticeSubscription,
    Order,
    OrderLine,
    OrderStatusChange,
    PartnerAccount,
    Payment,
    PriceList,
    PriceListItem,
    Product,
    ProductNotice,
    Quote,
    QuoteLine,
    Reservation,
    Shipment,
    ShipmentLine,
    StockLevel,
    Warehouse,
)
from accord.commerce.pricing import PriceBook, round_money
from accord.partners.models import Partner, User

QUOTE_VALID_DAYS = 30
RESERVATION_DAYS = 7


# --- input checks shared by services and imports: each raises a ValidationError naming the field ---

def clean_quantity(value, *, field: str = "quantity", allow_zero: bool = False) -> int:
    """A whole, non-negative number of units (positive unless `allow_zero`)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a whole number.")]}) from None
    if number != number.to_integral_value():
        raise ValidationError({field: [_("Quantities are whole units; %(value)s is not.") % {"value": value}]})
    if number < 0 or (number == 0 and not allow_zero):
        raise ValidationError({field: [_("Enter a quantity of at least %(minimum)s.")
                                       % {"minimum": 0 if allow_zero else 1}]})
    return int(number)


def clean_money(value, *, field: str, currency: str | None = None, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter an amount such as 1250.00.")]}) from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: [_("Enter an amount greater than zero.") if not allow_zero
                                       else _("The amount cannot be negative.")]})
    return round_money(amount, currency) if currency else amount


def clean_currency(value, *, field: str = "currency") -> str:
    code = str(value or "").strip().upper()
    if len(code) != 3 or not is_currency(code):
        raise ValidationError({field: [_("“%(value)s” is not an ISO 4217 currency code.") % {"value": value}]})
    return code


def _require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise ValidationError({field: [message]})


def _partner_of(user: User | None, partner: Partner | None) -> Partner:
    """The partner a write is for: a partner user's own; vendor staff must name one."""
    if user is not None and user.partner_id is not None:
        if partner is not None and partner.pk != user.partner_id:
            raise ValidationError({"partner": [_("You can only act for your own organisation.")]})
        return user.partner
    _require(partner is not None, "partner", _("Choose a partner."))
    return partner


def _number(prefix: str) -> str:
    """A temporary unique number, replaced by one derived from the primary key right after insert."""
    return f"{prefix}-tmp-{uuid.uuid4().hex[:12]}"


# --- catalog ---

PRODUCT_FIELDS = ("name", "description", "category", "lifecycle", "release_date", "end_of_life_date", "unit")


@transaction.atomic
def product_save(*, actor: User | None, sku: str, external_id: str | None = None, **fields) -> tuple[Product, bool]:
    """Create or update a product found by external ID, else by SKU. Returns (product, created)."""
    sku = (sku or "").strip()
    _require(bool(sku), "sku", _("Enter a SKU."))
    product = None
    if external_id:
        product = Product.objects.filter(external_id=external_id).first()
    if product is None:
        product = Product.objects.filter(sku=sku).first()
    created = product is None
    product = product or Product()
    was_available = not created and product.lifecycle == Product.Lifecycle.AVAILABLE
    product.sku = sku
    if external_id:
        product.external_id = external_id
    for name, value in fields.items():
        if name not in PRODUCT_FIELDS:
            raise TypeError(f"unknown product field {name}")
        setattr(product, name, value)
    product.full_clean(validate_unique=True)
    product.save()
    if product.lifecycle == Product.Lifecycle.AVAILABLE and not was_available:
        automation.emit("product.released", product, actor=actor, sku=product.sku)
    return product, created


@transaction.atomic
def category_save(*, code: str, name: str, parent: Category | None = None) -> Category:
    category, _created = Category.objects.update_or_create(code=code, defaults={"name": name, "parent": parent})
    return category


@transaction.atomic
def product_notice_publish(*, actor: User | None, notice: ProductNotice) -> ProductNotice:
    """Publish a notice to partners and tell those subscribed to its product (after commit)."""
    _require(notice.status != ProductNotice.Status.PUBLISHED, "status", _("This notice is already published."))
    notice.full_clean()
    notice.status = ProductNotice.Status.PUBLISHED
    notice.published_at = timezone.now()
    notice.save()
    from accord.commerce.tasks import notify_notice_subscribers

    transaction.on_commit(lambda: notify_notice_subscribers.enqueue(notice_id=notice.pk))
    automation.emit("product_notice.published", notice, actor=actor, product_id=notice.product_id,
                    severity=notice.severity, title=notice.title)
    return notice


@transaction.atomic
def notice_subscribe(*, user: User, product: Product) -> NoticeSubscription:
    _require(user.partner_id is not None, "user", _("Only partner users can subscribe to product notices."))
    subscription, _created = NoticeSubscription.objects.get_or_create(
        product=product, user=user, defaults={"partner_id": user.partner_id})
    return subscription


@transaction.atomic
def notice_unsubscribe(*, user: User, product: Product) -> None:
    NoticeSubscription.objects.filter(product=product, user=user).delete()


# --- prices ---

def _overlaps(queryset, valid_from: datetime.date, valid_to: datetime.date | None):
    """Rows of `queryset` whose [valid_from, valid_to] period meets the given one (open ends are infinite)."""
    overlapping = queryset.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    return overlapping.filter(valid_from__lte=valid_to) if valid_to else overlapping


def _check_period(valid_from: datetime.date, valid_to: datetime.date | None) -> None:
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": [_("The end of validity is before its start.")]})


@transaction.atomic
def list_price_set(*, actor: User | None, product: Product, currency: str, amount,
                   valid_from: datetime.date | None = None, valid_to: datetime.date | None = None) -> ListPrice:
    """Set a product's list price in a currency; an identical period is updated, an overlapping one refused."""
    currency = clean_currency(currency)
    amount = clean_money(amount, field="amount", currency=currency)
    valid_from = valid_from or datetime.date(2000, 1, 1)
    _check_period(valid_from, valid_to)
    existing = ListPrice.objects.filter(product=product, currency=currency, valid_from=valid_from).first()
    others = _overlaps(ListPrice.objects.filter(product=product, currency=currency), valid_from, valid_to)
    if existing:
        others = others.exclude(pk=existing.pk)
    if clash := others.first():
        raise ValidationError({"valid_from": [
            _("%(sku)s already has a %(currency)s list price valid from %(start)s; the periods overlap.")
            % {"sku": product.sku, "currency": currency, "start": clash.valid_from}]})
    price = existing or ListPrice(product=product, currency=currency, valid_from=valid_from)
    price.amount, price.valid_to = amount, valid_to
    price.save()
    return price


@transaction.atomic
def price_list_save(*, actor: User | None, code: str, name: str, currency: str, scope: str = "general",
                    valid_from: datetime.date, valid_to: datetime.date | None = None, tier=None, segment=None,
                    partner: Partner | None = None, priority: int = 0, payment_terms_days: int | None = None,
                    delivery_terms: str = "", external_id: str | None = None,
                    is_active: bool = True) -> tuple[PriceList, bool]:
    """Create or update a price list (by external ID, else code).

    Two active lists for the same audience and currency with the same priority may not be valid on the
    same day: the partner would get a price nobody chose.
    """
    currency = clean_currency(currency)
    _require(scope in PriceList.Scope.values, "scope", _("Choose all partners, tier, segment or partner."))
    target = {"tier": tier, "segment": segment, "partner": partner}.get(scope)
    _require(scope == "general" or target is not None, scope, _("Choose the %(scope)s this list is for.")
             % {"scope": PriceList.Scope(scope).label.lower()})
    _check_period(valid_from, valid_to)
    price_list = None
    if external_id:
        price_list = PriceList.objects.filter(external_id=external_id).first()
    price_list = price_list or PriceList.objects.filter(code=code).first()
    created = price_list is None
    price_list = price_list or PriceList()
    values = {"code": code, "name": name, "currency": currency, "scope": scope, "valid_from": valid_from,
              "valid_to": valid_to, "tier": tier if scope == "tier" else None,
              "segment": segment if scope == "segment" else None,
              "partner": partner if scope == "partner" else None, "priority": priority,
              "payment_terms_days": payment_terms_days, "delivery_terms": delivery_terms, "is_active": is_active}
    if external_id:
        values["external_id"] = external_id
    for field, value in values.items():
        setattr(price_list, field, value)
    price_list.full_clean()
    if is_active:
        same_audience = PriceList.objects.filter(
            is_active=True, currency=currency, scope=scope, priority=priority, tier=values["tier"],
            segment=values["segment"], partner=values["partner"])
        if not created:
            same_audience = same_audience.exclude(pk=price_list.pk)
        if clash := _overlaps(same_audience, valid_from, valid_to).first():
            raise ValidationError({"valid_from": [
                _("Price list “%(other)s” for the same partners and currency is valid in the same period; "
                  "change the dates or the priority.") % {"other": clash.name}]})
    price_list.save()
    return price_list, created


@transaction.atomic
def price_list_item_set(*, price_list: PriceList, product: Product | None = None, category: Category | None = None,
                        min_quantity=1, net_price=None, discount_percent=None) -> PriceListItem:
    """Set one rule of a price list: a net price or a discount for a product or category from a quantity."""
    _require((product is None) != (category is None), "product", _("Choose either a product or a category."))
    min_quantity = clean_quantity(min_quantity, field="min_quantity")
    _require((net_price in (None, "")) != (discount_percent in (None, "")), "net_price",
             _("Give either a net price or a discount, not both."))
    if net_price not in (None, ""):
        net_price, discount_percent = clean_money(net_price, field="net_price", currency=price_list.currency), None
    else:
        discount_percent = clean_money(discount_percent, field="discount_percent")
        _require(discount_percent <= 100, "discount_percent", _("A discount cannot exceed 100%."))
        net_price = None
    item, _created = PriceListItem.objects.update_or_create(
        price_list=price_list, product=product, category=category, min_quantity=min_quantity,
        defaults={"net_price": net_price, "discount_percent": discount_percent})
    return item


@transaction.atomic
def partner_account_set(*, actor: User | None, partner: Partner, credit_limit, currency: str | None = None,
                        payment_terms_days: int = 30, delivery_terms: str = "",
                        on_hold: bool = False) -> PartnerAccount:
    currency = clean_currency(currency or partner.currency)
    credit_limit = clean_money(credit_limit, field="credit_limit", currency=currency)
    account, _created = PartnerAccount.objects.update_or_create(
        partner=partner, defaults={"currency": currency, "credit_limit": credit_limit,
                                   "payment_terms_days": payment_terms_days, "delivery_terms": delivery_terms,
                                   "on_hold": on_hold})
    return account


# --- cart, quotes, orders ---

def _cart(partner: Partner, user: User | None) -> Quote:
    cart = Quote.objects.filter(partner=partner, status=Quote.Status.CART).order_by("pk").first()
    if cart is None:
        cart = Quote.objects.create(partner=partner, status=Quote.Status.CART, currency=partner.currency,
                                    created_by=user)
    return cart


def _price_lines(quote: Quote, lines: Iterable[QuoteLine]) -> Decimal:
    """Reprice lines at the partner's prices today; a product without a price in its currency is refused."""
    lines = list(lines)
    book = PriceBook(partners=[quote.partner], currency=quote.currency, products=[line.product_id for line in lines])
    total = Decimal(0)
    for line in lines:
        price = book.price(quote.partner_id, line.product, line.quantity)
        if price is None:
            raise ValidationError({"product": [_("%(sku)s has no price in %(currency)s; ask your channel manager.")
                                               % {"sku": line.product.sku, "currency": quote.currency}]})
        line.list_price = price.list_price or price.unit_price
        line.unit_price = price.unit_price
        line.line_total = round_money(price.unit_price * line.quantity, quote.currency)
        line.price_rule = price.explain()[:300]
        line.save()
        total += line.line_total
    return total


@transaction.atomic
def cart_set_quantity(*, user: User, product: Product, quantity, partner: Partner | None = None,
                      add: bool = False) -> Quote:
    """Put `quantity` of a product in the partner's cart (0 removes it; `add` adds to what is there)."""
    partner = _partner_of(user, partner)
    quantity = clean_quantity(quantity, allow_zero=not add)
    _require(product.lifecycle != Product.Lifecycle.END_OF_LIFE, "product",
             _("%(sku)s is end of life and can no longer be ordered.") % {"sku": product.sku})
    cart = _cart(partner, user)
    line = cart.lines.filter(product=product).first()
    if add and line:
        quantity += line.quantity
    if quantity == 0:
        if line:
            line.delete()
    else:
        line = line or QuoteLine(quote=cart, product=product)
        line.quantity = quantity
        _price_lines(cart, [line])
    cart.total = cart.lines.aggregate(total=Sum("line_total"))["total"] or 0
    cart.save(update_fields=["total"])
    return cart


@transaction.atomic
def quote_issue(*, user: User, quote: Quote) -> Quote:
    """Freeze the cart's prices into a numbered quote valid for 30 days."""
    _require(quote.status in (Quote.Status.CART, Quote.Status.QUOTED), "quote",
             _("This quote can no longer be changed."))
    lines = list(quote.lines.select_related("product"))
    _require(bool(lines), "lines", _("The cart is empty."))
    quote.total = _price_lines(quote, lines)
    quote.status = Quote.Status.QUOTED
    quote.quoted_at = timezone.now()
    quote.valid_until = timezone.localdate() + datetime.timedelta(days=QUOTE_VALID_DAYS)
    if not quote.number:
        quote.number = f"Q-{quote.pk:07d}"
    quote.save()
    automation.emit("quote.issued", quote, partner=quote.partner_id, actor=user, total=quote.total,
                    currency=quote.currency)
    return quote


def credit_exposure(partner: Partner, currency: str) -> Decimal:
    """What the partner owes or has ordered and not yet been invoiced for, in `currency`."""
    owed = (Invoice.objects.filter(partner=partner, currency=currency, status__in=OPEN_INVOICE_STATUSES,
                                   kind=Invoice.Kind.INVOICE).aggregate(total=Sum("open_amount"))["total"] or 0)
    uninvoiced = (Order.objects.filter(partner=partner, currency=currency,
                                       status__in=[*OPEN_ORDER_STATUSES, Order.Status.SHIPPED, Order.Status.DELIVERED])
                  .exclude(invoices__kind=Invoice.Kind.INVOICE).aggregate(total=Sum("total"))["total"] or 0)
    return Decimal(owed) + Decimal(uninvoiced)


def _check_credit(partner: Partner, currency: str, amount: Decimal) -> PartnerAccount | None:
    account = PartnerAccount.objects.filter(partner=partner).first()
    if account is None:
        return None
    if account.on_hold:
        raise ValidationError({"__all__": [_("Your account is on hold; please contact your channel manager.")]})
    if account.currency != currency:
        raise ValidationError({"currency": [_("Orders must be in your account currency %(currency)s.")
                                            % {"currency": account.currency}]})
    available = account.credit_limit - credit_exposure(partner, currency)
    if amount > available:
        raise ValidationError({"__all__": [
            _("This order of %(amount)s %(currency)s exceeds your available credit of %(available)s %(currency)s "
              "(limit %(limit)s). Pay open invoices or ask your channel manager to raise the limit.")
            % {"amount": round_money(amount, currency), "currency": currency,
               "available": round_money(max(available, Decimal(0)), currency),
               "limit": round_money(account.credit_limit, currency)}]})
    return account


def order_terms(partner: Partner, currency: str, account: PartnerAccount | None = None) -> tuple[int, str]:
    """Payment days and delivery terms of a new order: a partner's own price list valid today sets them,
    else its account, else a tier or general price list, else 30 days."""
    today = timezone.localdate()
    lists = (PriceList.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), is_active=True,
                                      currency=currency, valid_from__lte=today)
             .filter(Q(scope="partner", partner=partner) | Q(scope="tier", tier_id=partner.tier_id)
                     | Q(scope="general")))
    ranked = sorted(lists, key=lambda pl: ({"partner": 0, "tier": 2, "general": 3}[pl.scope], -pl.priority))
    own = [pl for pl in ranked if pl.scope == "partner"]
    others = [pl for pl in ranked if pl.scope != "partner"]
    days = next((pl.payment_terms_days for pl in own if pl.payment_terms_days), None)
    delivery = next((pl.delivery_terms for pl in own if pl.delivery_terms), "")
    account = account or PartnerAccount.objects.filter(partner=partner).first()
    if account is not None:
        days = days or account.payment_terms_days
        delivery = delivery or account.delivery_terms
    days = days or next((pl.payment_terms_days for pl in others if pl.payment_terms_days), None) or 30
    delivery = delivery or next((pl.delivery_terms for pl in others if pl.delivery_terms), "")
    return days, delivery


def _order_history(order: Order, status: str, actor: User | None, note: str = "") -> None:
    OrderStatusChange.objects.create(order=order, status=status, changed_by=actor, note=note)


@transaction.atomic
def order_place(*, user: User, quote: Quote, customer_reference: str = "") -> Order:
    """Turn a cart or a valid quote into an order, after the credit check; uses the partner's reservations."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _require(quote.status in (Quote.Status.CART, Quote.Status.QUOTED), "quote",
             _("This quote has already been ordered or has expired."))
    today = timezone.localdate()
    if quote.status == Quote.Status.QUOTED and quote.valid_until and quote.valid_until < today:
        raise ValidationError({"quote": [_("This quote expired on %(date)s; request a new one.")
                                         % {"date": quote.valid_until}]})
    lines = list(quote.lines.select_related("product"))
    _require(bool(lines), "lines", _("The cart is empty."))
    if quote.status == Quote.Status.CART:
        quote.total = _price_lines(quote, lines)
    partner = quote.partner
    account = _check_credit(partner, quote.currency, quote.total)
    payment_days, delivery_terms = order_terms(partner, quote.currency, account)
    order = Order.objects.create(
        number=_number("SO"), partner=partner, quote=quote, currency=quote.currency, total=quote.total,
        customer_reference=customer_reference[:80], payment_terms_days=payment_days,
        delivery_terms=delivery_terms, placed_by=user)
    order.number = f"SO-{order.pk:07d}"
    order.save(update_fields=["number"])
    OrderLine.objects.bulk_create([
        OrderLine(order=order, product=line.product, quantity=line.quantity, list_price=line.list_price,
                  unit_price=line.unit_price, line_total=line.line_total, price_rule=line.price_rule)
        for line in lines])
    quote.status = Quote.Status.ORDERED
    quote.save(update_fields=["status", "total"])
    _order_history(order, Order.Status.PLACED, user)
    wanted = {line.product_id: line.quantity for line in lines}
    for reservation in (Reservation.objects.filter(partner=partner, status=Reservation.Status.ACTIVE,
                                                   product_id__in=wanted).order_by("expires_at", "pk")):
        if wanted.get(reservation.product_id, 0) <= 0:
            continue
        wanted[reservation.product_id] -= reservation.quantity
        reservation.status, reservation.order = Reservation.Status.CONSUMED, order
        reservation.save(update_fields=["status", "order"])
        automation.emit("reservation.consumed", reservation, partner=partner, actor=user, order=order.number)
    automation.emit("order.placed", order, partner=partner, actor=user, number=order.number, total=order.total,
                    currency=order.currency)
    return order


def _lock_order(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("partner").get(pk=order.pk)


@transaction.atomic
def order_confirm(*, actor: User, order: Order, note: str = "") -> Order:
    order = _lock_order(order)
    _require(order.status == Order.Status.PLACED, "status", _("Only placed orders can be confirmed."))
    order.status, order.decided_by, order.decided_at = Order.Status.CONFIRMED, actor, timezone.now()
    order.save(update_fields=["status", "decided_by", "decided_at"])
    _order_history(order, order.status, actor, note)
    automation.emit("order.confirmed", order, partner=order.partner_id, actor=actor, number=order.number)
    return order


def _release_order_reservations(order: Order, status: str = Reservation.Status.CANCELLED) -> None:
    """Give back what reservations still hold for an order that was withdrawn or has fully shipped."""
    for reservation in order.reservations.filter(status=Reservation.Status.CONSUMED, released_at__isnull=True):
        _release(reservation, status)


@transaction.atomic
def order_reject(*, actor: User, order: Order, reason: str) -> Order:
    """The vendor refuses an order; the partner sees the reason and its reservations are released."""
    reason = (reason or "").strip()
    _require(bool(reason), "reason", _("Tell the partner why the order is rejected."))
    order = _lock_order(order)
    _require(order.status == Order.Status.PLACED, "status", _("Only placed orders can be rejected."))
    order.status, order.decided_by, order.decided_at = Order.Status.REJECTED, actor, timezone.now()
    order.rejection_reason = reason
    order.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    _release_order_reservations(order)
    _order_history(order, order.status, actor, reason)
    automation.emit("order.rejected", order, partner=order.partner_id, actor=actor, number=order.number,
                    reason=reason)
    return order


@transaction.atomic
def order_cancel(*, actor: User, order: Order, reason: str = "") -> Order:
    """The partner (or vendor) withdraws an order nothing of which has shipped."""
    order = _lock_order(order)
    _require(order.status in (Order.Status.PLACED, Order.Status.CONFIRMED), "status",
             _("Orders can be cancelled only before anything ships."))
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    _release_order_reservations(order)
    _order_history(order, order.status, actor, reason)
    automation.emit("order.cancelled", order, partner=order.partner_id, actor=actor, number=order.number)
    return order


@transaction.atomic
def shipment_create(*, actor: User, order: Order, warehouse: Warehouse, quantities: Mapping[int, object],
                    carrier: str = "", tracking_number: str = "", tracking_url: str = "") -> Shipment:
    """Ship order lines (order line id -> quantity) from a warehouse, taking the goods out of its stock.

    Stock held for the order by reservations is released as it ships; the rest must be free stock.
    """
    order = _lock_order(order)
    _require(order.status in (Order.Status.CONFIRMED, Order.Status.PARTLY_SHIPPED), "status",
             _("Confirm the order before shipping it."))
    lines = {line.pk: line for line in order.lines.select_related("product")}
    wanted: dict[int, int] = {}
    for line_id, value in quantities.items():
        line = lines.get(int(line_id))
        _require(line is not None, "lines", _("That line is not part of this order."))
        quantity = clean_quantity(value, field=f"line-{line.pk}", allow_zero=True)
        _require(quantity <= line.open_quantity, f"line-{line.pk}",
                 _("Only %(open)s of %(sku)s are still to ship.") % {"open": line.open_quantity,
                                                                     "sku": line.product.sku})
        if quantity:
            wanted[line.pk] = quantity
    _require(bool(wanted), "lines", _("Enter a quantity to ship for at least one line."))
    shipment = Shipment.objects.create(order=order, number=_number("SH"), warehouse=warehouse, carrier=carrier,
                                       tracking_number=tracking_number, tracking_url=tracking_url)
    shipment.number = f"SH-{shipment.pk:07d}"
    shipment.save(update_fields=["number"])
    for line_id, quantity in wanted.items():
        line = lines[line_id]
        held = 0
        for reservation in order.reservations.filter(status=Reservation.Status.CONSUMED, product=line.product,
                                                     warehouse=warehouse, released_at__isnull=True).order_by("pk"):
            take = min(reservation.quantity, quantity - held)
            if take <= 0:
                break
            StockLevel.objects.filter(warehouse=warehouse, product=line.product).update(
                reserved=F("reserved") - take)
            if take == reservation.quantity:
                reservation.released_at = timezone.now()
            else:
                reservation.quantity -= take
            reservation.save(update_fields=["quantity", "released_at"])
            held += take
        taken = StockLevel.objects.filter(
            warehouse=warehouse, product=line.product, on_hand__gte=F("reserved") + (quantity - held)
        ).update(on_hand=F("on_hand") - quantity)
        if not taken:
            raise ValidationError({f"line-{line.pk}": [_("%(warehouse)s does not have %(quantity)s of %(sku)s free.")
                                                       % {"warehouse": warehouse.name, "quantity": quantity,
                                                          "sku": line.product.sku}]})
        ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=quantity)
        OrderLine.objects.filter(pk=line.pk).update(shipped_quantity=F("shipped_quantity") + quantity)
    complete = not any(line.quantity - line.shipped_quantity for line in order.lines.all())
    order.status = Order.Status.SHIPPED if complete else Order.Status.PARTLY_SHIPPED
    order.save(update_fields=["status"])
    if complete:
        _release_order_reservations(order, Reservation.Status.CONSUMED)
    _order_history(order, order.status, actor, shipment.number)
    automation.emit("order.shipped" if complete else "order.partly_shipped", order, partner=order.partner_id,
                    actor=actor, number=order.number, shipment=shipment.number, tracking_number=tracking_number)
    return shipment


@transaction.atomic
def shipment_deliver(*, actor: User | None, shipment: Shipment,
                     delivered_at: datetime.datetime | None = None) -> Shipment:
    """Record proof of delivery; the order is delivered once everything shipped has arrived."""
    _require(shipment.delivered_at is None, "delivered_at", _("This shipment is already delivered."))
    shipment.delivered_at = delivered_at or timezone.now()
    shipment.save(update_fields=["delivered_at"])
    order = _lock_order(shipment.order)
    if order.status == Order.Status.SHIPPED and not order.shipments.filter(delivered_at__isnull=True).exists():
        order.status = Order.Status.DELIVERED
        order.save(update_fields=["status"])
        _order_history(order, order.status, actor)
        automation.emit("order.delivered", order, partner=order.partner_id, actor=actor, number=order.number)
    return shipment


# --- invoices, payments, credit notes ---

@transaction.atomic
def invoice_issue(*, actor: User | None, partner: Partner, currency: str, lines: list[dict],
                  issue_date: datetime.date | None = None, due_date: datetime.date | None = None,
                  number: str = "", external_id: str | None = None, order: Order | None = None,
                  payment_terms_days: int | None = None, note: str = "") -> Invoice:
    """Issue an invoice; lines are dicts of description, quantity, unit_price and optional product.

    The due date follows the payment terms (the order's, else the partner account's, else 30 days)
    unless given, as an ERP import does.
    """
    currency = clean_currency(currency)
    issue_date = issue_date or timezone.localdate()
    _require(bool(lines), "lines", _("An invoice needs at least one line."))
    if payment_terms_days is None:
        account = PartnerAccount.objects.filter(partner=partner).first()
        payment_terms_days = order.payment_terms_days if order else (account.payment_terms_days if account else 30)
    due_date = due_date or issue_date + datetime.timedelta(days=payment_terms_days)
    _require(due_date >= issue_date, "due_date", _("The due date cannot be before the issue date."))
    if number:
        _require(not Invoice.objects.filter(number=number).exists(), "number",
                 _("Invoice %(number)s already exists.") % {"number": number})
    prepared = []
    for index, line in enumerate(lines, start=1):
        quantity = clean_quantity(line.get("quantity", 1), field=f"lines[{index}].quantity")
        unit_price = clean_money(line["unit_price"], field=f"lines[{index}].unit_price")
        prepared.append(InvoiceLine(product=line.get("product"), description=str(line.get("description", ""))[:300],
                                    quantity=quantity, unit_price=unit_price,
                                    amount=round_money(unit_price * quantity, currency)))
    total = sum((line.amount for line in prepared), Decimal(0))
    _require(total > 0, "lines", _("The invoice total must be greater than zero."))
    invoice = Invoice.objects.create(number=number or _number("INV"), external_id=external_id or None,
                                     partner=partner, order=order, currency=currency, total=total, open_amount=total,
                                     issue_date=issue_date, due_date=due_date, note=note)
    if not number:
        invoice.number = f"INV-{issue_date.year}-{invoice.pk:07d}"
        invoice.save(update_fields=["number"])
    for line in prepared:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(prepared)
    automation.emit("invoice.issued", invoice, partner=partner, actor=actor, number=invoice.number, total=total,
                    currency=currency, due_date=due_date)
    return invoice


@transaction.atomic
def invoice_from_order(*, actor: User | None, order: Order, issue_date: datetime.date | None = None) -> Invoice:
    """Invoice an order's lines at the prices the partner ordered at."""
    order = _lock_order(order)
    _require(order.status not in (Order.Status.PLACED, Order.Status.REJECTED, Order.Status.CANCELLED), "status",
             _("Only confirmed orders can be invoiced."))
    _require(not order.invoices.filter(kind=Invoice.Kind.INVOICE).exists(), "order",
             _("Order %(number)s is already invoiced.") % {"number": order.number})
    lines = [{"product": line.product, "description": f"{line.product.sku} {line.product.name}",
              "quantity": line.quantity, "unit_price": line.unit_price}
             for line in order.lines.select_related("product")]
    return invoice_issue(actor=actor, partner=order.partner, currency=order.currency, lines=lines,
                         issue_date=issue_date, order=order, note=order.customer_reference)


def _settle(invoice: Invoice, amount: Decimal, on: datetime.date) -> Invoice:
    """Take `amount` off the invoice's open amount in one conditional UPDATE; refuses to go below zero."""
    reduced = Invoice.objects.filter(pk=invoice.pk, status__in=OPEN_INVOICE_STATUSES,
                                     open_amount__gte=amount).update(open_amount=F("open_amount") - amount)
    if not reduced:
        invoice.refresh_from_db()
        raise ValidationError({"amount": [_("The amount is larger than the open amount of %(open)s %(currency)s.")
                                          % {"open": round_money(invoice.open_amount, invoice.currency),
                                             "currency": invoice.currency}]})
    invoice.refresh_from_db()
    invoice.status = Invoice.Status.PAID if invoice.open_amount == 0 else Invoice.Status.PARTIALLY_PAID
    invoice.paid_on = on if invoice.status == Invoice.Status.PAID else None
    invoice.save(update_fields=["status", "paid_on"])
    return invoice


@transaction.atomic
def payment_record(*, actor: User | None, invoice: Invoice, amount, received_on: datetime.date | None = None,
                   currency: str | None = None, reference: str = "", external_id: str | None = None) -> Payment:
    """Record money received against an invoice; never more than is still open, never in another currency."""
    currency = clean_currency(currency or invoice.currency)
    _require(currency == invoice.currency, "currency",
             _("Invoice %(number)s is in %(expected)s, not %(given)s.")
             % {"number": invoice.number, "expected": invoice.currency, "given": currency})
    amount = clean_money(amount, field="amount", currency=currency, allow_zero=False)
    _require(invoice.kind == Invoice.Kind.INVOICE, "invoice", _("Payments apply to invoices, not credit notes."))
    _require(invoice.is_open, "invoice", _("Invoice %(number)s is not open.") % {"number": invoice.number})
    received_on = received_on or timezone.localdate()
    _require(received_on <= timezone.localdate(), "received_on", _("A payment cannot be received in the future."))
    invoice = _settle(invoice, amount, received_on)
    payment = Payment.objects.create(partner_id=invoice.partner_id, invoice=invoice, currency=currency, amount=amount,
                                     received_on=received_on, reference=reference, external_id=external_id or None,
                                     recorded_by=actor)
    automation.emit("payment.received", payment, partner=invoice.partner_id, actor=actor, amount=amount,
                    currency=currency, invoice=invoice.number)
    automation.emit("invoice.paid" if invoice.status == Invoice.Status.PAID else "invoice.partially_paid", invoice,
                    partner=invoice.partner_id, actor=actor, number=invoice.number, open_amount=invoice.open_amount)
    return payment


@transaction.atomic
def credit_note_issue(*, actor: User | None, invoice: Invoice, amount, reason: str) -> Invoice:
    """Credit part or all of an open invoice; the credit note appears on the statement as a credit."""
    reason = (reason or "").strip()
    _require(bool(reason), "reason", _("Give the reason for the credit."))
    amount = clean_money(amount, field="amount", currency=invoice.currency, allow_zero=False)
    _require(invoice.kind == Invoice.Kind.INVOICE, "invoice", _("Only invoices can be credited."))
    today = timezone.localdate()
    invoice = _settle(invoice, amount, today)
    note = Invoice.objects.create(number=_number("CN"), kind=Invoice.Kind.CREDIT_NOTE, partner_id=invoice.partner_id,
                                  credited_invoice=invoice, currency=invoice.currency, total=amount, open_amount=0,
                                  status=Invoice.Status.PAID, issue_date=today, due_date=today, paid_on=today,
                                  note=reason)
    note.number = f"CN-{today.year}-{note.pk:07d}"
    note.save(update_fields=["number"])
    InvoiceLine.objects.create(invoice=note, description=reason[:300], quantity=1, unit_price=amount, amount=amount)
    automation.emit("invoice.credited", invoice, partner=invoice.partner_id, actor=actor, number=invoice.number,
                    credit_note=note.number, amount=amount)
    if invoice.status == Invoice.Status.PAID:
        automation.emit("invoice.paid", invoice, partner=invoice.partner_id, actor=actor, number=invoice.number,
                        open_amount=invoice.open_amount)
    return note


# --- stock and inbound deliveries ---

@transaction.atomic
def stock_set(*, actor: User | None, warehouse: Warehouse, product: Product, on_hand) -> StockLevel:
    """Set the counted on-hand quantity (an ERP stock sync); it may not drop below what is reserved."""
    on_hand = clean_quantity(on_hand, field="on_hand", allow_zero=True)
    level, _created = StockLevel.objects.get_or_create(warehouse=warehouse, product=product)
    updated = StockLevel.objects.filter(pk=level.pk, reserved__lte=on_hand).update(on_hand=on_hand,
                                                                                   updated_at=timezone.now())
    if not updated:
        level.refresh_from_db()
        raise ValidationError({"on_hand": [_("%(reserved)s of %(sku)s are reserved in %(warehouse)s; on hand cannot "
                                             "be less.") % {"reserved": level.reserved, "sku": product.sku,
                                                            "warehouse": warehouse.name}]})
    level.refresh_from_db()
    automation.emit("stock.updated", level, actor=actor, product_id=product.pk, warehouse=warehouse.code,
                    on_hand=on_hand, available=level.available)
    return level


@transaction.atomic
def delivery_plan(*, actor: User | None, reference: str, warehouse: Warehouse, expected_on: datetime.date,
                  lines: Mapping[Product, object], supplier: str = "", external_id: str | None = None,
                  status: str = InboundDelivery.Status.PLANNED) -> InboundDelivery:
    """Announce incoming goods with the day they are expected; the date must not be in the past."""
    reference = (reference or "").strip()
    _require(bool(reference), "reference", _("Enter the delivery reference."))
    _require(expected_on >= timezone.localdate(), "expected_on", _("The expected arrival date is in the past."))
    _require(not InboundDelivery.objects.filter(reference=reference).exists(), "reference",
             _("Delivery %(reference)s already exists.") % {"reference": reference})
    quantities = {product: clean_quantity(quantity, field=f"quantity[{product.sku}]")
                  for product, quantity in lines.items()}
    _require(bool(quantities), "lines", _("A delivery needs at least one product."))
    delivery = InboundDelivery.objects.create(reference=reference, external_id=external_id or None,
                                              warehouse=warehouse, supplier=supplier, status=status,
                                              expected_on=expected_on, first_expected_on=expected_on)
    InboundDeliveryLine.objects.bulk_create([InboundDeliveryLine(delivery=delivery, product=product, quantity=quantity)
                                             for product, quantity in quantities.items()])
    automation.emit("delivery.planned", delivery, actor=actor, reference=reference, expected_on=expected_on)
    return delivery


@transaction.atomic
def delivery_line_set(*, delivery: InboundDelivery, product: Product, quantity) -> InboundDeliveryLine:
    """Change how many units a delivery brings; never below what partners have already reserved from it."""
    quantity = clean_quantity(quantity)
    _require(delivery.is_open, "status", _("This delivery has already arrived or was cancelled."))
    line, created = InboundDeliveryLine.objects.get_or_create(delivery=delivery, product=product,
                                                              defaults={"quantity": quantity})
    if not created and not InboundDeliveryLine.objects.filter(pk=line.pk, reserved__lte=quantity).update(
            quantity=quantity):
        line.refresh_from_db()
        raise ValidationError({"quantity": [_("%(reserved)s units are already reserved from this delivery.")
                                            % {"reserved": line.reserved}]})
    line.refresh_from_db()
    return line


@transaction.atomic
def delivery_reschedule(*, actor: User | None, delivery: InboundDelivery, expected_on: datetime.date,
                        reason: str = "") -> InboundDelivery:
    """Move a delivery's expected date, keeping the history; partners waiting for it are told by the engine."""
    delivery = InboundDelivery.objects.select_for_update().get(pk=delivery.pk)
    _require(delivery.is_open, "status", _("This delivery has already arrived or was cancelled."))
    _require(expected_on >= timezone.localdate(), "expected_on", _("The expected arrival date is in the past."))
    if expected_on == delivery.expected_on:
        return delivery
    previous = delivery.expected_on
    DeliveryDateChange.objects.create(delivery=delivery, previous_date=previous, new_date=expected_on,
                                      reason=reason[:200], changed_by=actor)
    delivery.expected_on = expected_on
    delivery.save(update_fields=["expected_on"])
    automation.emit("delivery.date_changed", delivery, actor=actor, reference=delivery.reference,
                    previous_date=previous, expected_on=expected_on, days_moved=(expected_on - previous).days,
                    partner_ids=sorted(set(Reservation.objects.filter(
                        delivery_line__delivery=delivery, status=Reservation.Status.ACTIVE)
                        .values_list("partner_id", flat=True))))
    return delivery


@transaction.atomic
def delivery_receive(*, actor: User | None, delivery: InboundDelivery, received: Mapping[int, object] | None = None,
                     arrived_on: datetime.date | None = None) -> InboundDelivery:
    """Book a delivery into its warehouse: stock rises, and reservations on it move onto that stock.

    `received` maps product id to the counted quantity (default: as announced). When fewer units arrive
    than were reserved, the oldest reservations keep theirs and the rest are cut back.
    """
    delivery = InboundDelivery.objects.select_for_update().select_related("warehouse").get(pk=delivery.pk)
    _require(delivery.is_open, "status", _("This delivery has already arrived or was cancelled."))
    arrived_on = arrived_on or timezone.localdate()
    _require(arrived_on <= timezone.localdate(), "arrived_on", _("The arrival date cannot be in the future."))
    received = received or {}
    for line in delivery.lines.select_related("product").select_for_update():
        quantity = clean_quantity(received.get(line.product_id, line.quantity), field=f"received[{line.product.sku}]",
                                  allow_zero=True)
        line.received_quantity = quantity
        line.save(update_fields=["received_quantity"])
        level, _created = StockLevel.objects.get_or_create(warehouse=delivery.warehouse, product=line.product)
        held = 0
        waiting = line.reservations.filter(Q(status=Reservation.Status.ACTIVE)
                                           | Q(status=Reservation.Status.CONSUMED, released_at__isnull=True))
        for reservation in waiting.order_by("created_at", "pk"):
            keep = min(reservation.quantity, quantity - held)
            if keep <= 0:
                reservation.status, reservation.released_at = Reservation.Status.CANCELLED, timezone.now()
                reservation.save(update_fields=["status", "released_at"])
                automation.emit("reservation.cancelled", reservation, partner=reservation.partner_id, actor=actor,
                                reason="short delivery")
                continue
            reservation.quantity, reservation.warehouse = keep, delivery.warehouse
            reservation.save(update_fields=["quantity", "warehouse"])
            held += keep
            automation.emit("reservation.goods_arrived", reservation, partner=reservation.partner_id, actor=actor,
                            product_id=line.product_id, sku=line.product.sku, quantity=keep,
                            warehouse=delivery.warehouse.name)
        StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") + quantity, reserved=F("reserved") + held)
    delivery.status, delivery.arrived_on = InboundDelivery.Status.ARRIVED, arrived_on
    delivery.save(update_fields=["status", "arrived_on"])
    automation.emit("stock.arrived", delivery, actor=actor, reference=delivery.reference,
                    warehouse=delivery.warehouse.code, arrived_on=arrived_on,
                    days_late=(arrived_on - delivery.first_expected_on).days)
    return delivery


@transaction.atomic
def delivery_cancel(*, actor: User | None, delivery: InboundDelivery) -> InboundDelivery:
    delivery = InboundDelivery.objects.select_for_update().get(pk=delivery.pk)
    _require(delivery.is_open, "status", _("This delivery has already arrived or was cancelled."))
    for reservation in Reservation.objects.filter(delivery_line__delivery=delivery, status=Reservation.Status.ACTIVE):
        _release(reservation, Reservation.Status.CANCELLED)
        automation.emit("reservation.cancelled", reservation, partner=reservation.partner_id, actor=actor,
                        reason="delivery cancelled")
    delivery.status = InboundDelivery.Status.CANCELLED
    delivery.save(update_fields=["status"])
    return delivery


# --- reservations ---

def _hold_stock(level_filter: Q, quantity: int) -> bool:
    """Reserve on a stock level only if that much is still free, in one statement (ADR 0011)."""
    return bool(StockLevel.objects.filter(level_filter, on_hand__gte=F("reserved") + quantity)
                .update(reserved=F("reserved") + quantity, updated_at=timezone.now()))


def _hold_incoming(line: InboundDeliveryLine, quantity: int) -> bool:
    """Like `_hold_stock` for a delivery line. The condition names only the line's own columns: PostgreSQL
    re-checks those on the row it waited for, but not a joined table's (that would read a stale snapshot).
    The delivery row is locked so a reservation cannot slip in while the delivery is being booked in."""
    delivery = InboundDelivery.objects.select_for_update().get(pk=line.delivery_id)  # waits for a booking-in
    _require(delivery.is_open, "delivery_line", _("This delivery has already arrived or was cancelled."))
    return bool(InboundDeliveryLine.objects.filter(pk=line.pk, quantity__gte=F("reserved") + quantity)
                .update(reserved=F("reserved") + quantity))


@transaction.atomic
def reservation_make(*, actor: User, product: Product, quantity, partner: Partner | None = None,
                     warehouse: Warehouse | None = None, delivery_line: InboundDeliveryLine | None = None,
                     expires_at: datetime.datetime | None = None, note: str = "") -> Reservation:
    """Hold quantity for a partner from a warehouse's free stock (any warehouse if none is named) or from
    an incoming delivery. Concurrent requests can never hold more than exists."""
    partner = _partner_of(actor, partner)
    quantity = clean_quantity(quantity)
    now = timezone.now()
    expires_at = expires_at or now + datetime.timedelta(days=RESERVATION_DAYS)
    _require(expires_at > now, "expires_at", _("The expiry must be in the future."))
    _require(product.lifecycle != Product.Lifecycle.END_OF_LIFE, "product",
             _("%(sku)s is end of life and can no longer be reserved.") % {"sku": product.sku})
    reservations_expire(now=now, product=product)
    if delivery_line is not None:
        _require(delivery_line.product_id == product.pk, "delivery_line",
                 _("That delivery does not bring this product."))
        if not _hold_incoming(delivery_line, quantity):
            delivery_line.refresh_from_db()
            raise ValidationError({"quantity": [_("Only %(free)s of %(sku)s on delivery %(reference)s are still free.")
                                                % {"free": max(delivery_line.available, 0), "sku": product.sku,
                                                   "reference": delivery_line.delivery.reference}]})
    elif warehouse is not None:
        if not _hold_stock(Q(product=product, warehouse=warehouse), quantity):
            level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
            raise ValidationError({"quantity": [_("Only %(free)s of %(sku)s are free in %(warehouse)s.")
                                                % {"free": level.available if level else 0, "sku": product.sku,
                                                   "warehouse": warehouse.name}]})
    else:
        levels = (StockLevel.objects.filter(product=product, warehouse__is_active=True)
                  .annotate(free=F("on_hand") - F("reserved")).filter(free__gte=quantity)
                  .order_by("-free", "pk").select_related("warehouse"))
        for level in levels:
            if _hold_stock(Q(pk=level.pk), quantity):
                warehouse = level.warehouse
                break
        else:
            free = sum(level.available for level in StockLevel.objects.filter(product=product))
            raise ValidationError({"quantity": [_("Only %(free)s of %(sku)s are free in one warehouse; reserve "
                                                  "from an incoming delivery instead.")
                                                % {"free": free, "sku": product.sku}]})
    reservation = Reservation.objects.create(partner=partner, product=product, quantity=quantity, warehouse=warehouse,
                                             delivery_line=delivery_line, expires_at=expires_at, note=note[:200],
                                             created_by=actor)
    automation.emit("reservation.made", reservation, partner=partner, actor=actor, product_id=product.pk,
                    sku=product.sku, quantity=quantity, expires_at=expires_at)
    return reservation


def _release(reservation: Reservation, status: str) -> None:
    """Give a reservation's quantity back to where it was held and close it."""
    if reservation.released_at is not None and reservation.status != Reservation.Status.ACTIVE:
        return
    if reservation.warehouse_id is not None:
        StockLevel.objects.filter(product_id=reservation.product_id, warehouse_id=reservation.warehouse_id).update(
            reserved=F("reserved") - reservation.quantity)
    else:
        InboundDeliveryLine.objects.filter(pk=reservation.delivery_line_id).update(
            reserved=F("reserved") - reservation.quantity)
    reservation.status, reservation.released_at = status, timezone.now()
    reservation.save(update_fields=["status", "released_at"])


def _claim(reservation: Reservation, status: str) -> bool:
    """Move an active reservation to `status` once, even if two workers try at the same time."""
    return bool(Reservation.objects.filter(pk=reservation.pk, status=Reservation.Status.ACTIVE)
                .update(status=status, released_at=timezone.now()))


@transaction.atomic
def reservation_cancel(*, actor: User, reservation: Reservation) -> Reservation:
    _require(reservation.status == Reservation.Status.ACTIVE, "status", _("Only active reservations can be released."))
    if _claim(reservation, Reservation.Status.CANCELLED):
        _release(reservation, Reservation.Status.CANCELLED)
        automation.emit("reservation.cancelled", reservation, partner=reservation.partner_id, actor=actor)
    return reservation


def reservations_expire(*, now: datetime.datetime | None = None, product: Product | None = None) -> int:
    """Release every active reservation past its expiry (of one product, if given), each in its own
    transaction; returns how many. Every worker's engine sweep runs it (registered as housekeeping in
    events.py), `commerce_expire_reservations` runs it by hand, and reserving a product runs it for that
    product first, so an expired hold never blocks a new one."""
    now = now or timezone.now()
    expired = 0
    due = Reservation.objects.filter(status=Reservation.Status.ACTIVE, expires_at__lte=now)
    if product is not None:
        due = due.filter(product=product)
    for reservation in due.order_by("pk"):
        with transaction.atomic():
            if not _claim(reservation, Reservation.Status.EXPIRED):
                continue
            _release(reservation, Reservation.Status.EXPIRED)
            automation.emit("reservation.expired", reservation, partner=reservation.partner_id,
                            product_id=reservation.product_id, quantity=reservation.quantity)
            expired += 1
    return expired
