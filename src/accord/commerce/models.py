"""Commerce and supply: catalog, prices, quotes, orders, invoices, payments, stock, arrivals, reservations.

Money is `Decimal` with its currency beside it; amounts are stored with four decimal places and rounded
to the currency's own digits by the services (`pricing.round_money`). Quantities are whole units.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 4}


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey("self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Lifecycle(models.TextChoices):
        ANNOUNCED = "announced", _("Announced")
        AVAILABLE = "available", _("Available")
        END_OF_LIFE = "end_of_life", _("End of life")

    sku = models.CharField(_("SKU"), max_length=60, unique=True)
    external_id = models.CharField(_("external ID"), max_length=80, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="products")
    lifecycle = models.CharField(_("lifecycle"), max_length=20, choices=Lifecycle.choices,
                                 default=Lifecycle.AVAILABLE, db_index=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    end_of_life_date = models.DateField(_("end-of-life date"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["name"]), models.Index(fields=["category", "lifecycle"])]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"

    def translated(self, language: str | None = None) -> tuple[str, str]:
        """(name, description) in `language` (default: the active one), falling back to the base text.

        Uses the prefetched `translations` when present, so catalog pages stay at a fixed query count.
        """
        language = (language or get_language() or "en")[:2]
        for translation in self.translations.all():
            if translation.language == language:
                return translation.name or self.name, translation.description or self.description
        return self.name, self.description


class ProductTranslation(models.Model):
    """A product's name and description in one language; the base text on Product is English."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    name = models.CharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("product translation")
        verbose_name_plural = _("product translations")
        constraints = [models.UniqueConstraint(fields=["product", "language"], name="uniq_product_translation")]

    def __str__(self) -> str:
        return f"{self.product_id} [{self.language}]"


class ProductAttachment(models.Model):
    class Kind(models.TextChoices):
        DATASHEET = "datasheet", _("Datasheet")
        MANUAL = "manual", _("Manual")
        CERTIFICATE = "certificate", _("Certificate")
        OTHER = "other", _("Other")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DATASHEET)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="commerce/attachments/%Y/")
    language = models.CharField(_("language"), max_length=8, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("product attachment")
        verbose_name_plural = _("product attachments")

    def __str__(self) -> str:
        return self.title


class ProductNotice(models.Model):
    """A known issue, defect or workaround partners must know about before they sell or install."""

    class Kind(models.TextChoices):
        KNOWN_ISSUE = "known_issue", _("Known issue")
        DEFECT = "defect", _("Defect")
        WORKAROUND = "workaround", _("Workaround")
        ADVISORY = "advisory", _("Advisory")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RESOLVED = "resolved", _("Resolved")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="notices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.KNOWN_ISSUE)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"))
    workaround = models.TextField(_("workaround"), blank=True)
    affected_versions = models.CharField(_("affected versions"), max_length=200, blank=True)
    fixed_in = models.CharField(_("fixed in"), max_length=80, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("product notice")
        verbose_name_plural = _("product notices")

    def __str__(self) -> str:
        return self.title


class NoticeSubscription(models.Model):
    """A partner user who wants to hear about new notices for a product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="notice_subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notice_subscriptions")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="notice_subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "user"], name="uniq_notice_subscription")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.product_id}"


class ListPrice(models.Model):
    """The vendor's list price for a product in one currency over a validity period."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="list_prices")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("list price"), **MONEY)
    valid_from = models.DateField(_("valid from"), default=datetime.date(2000, 1, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["product", "currency", "valid_from"]
        verbose_name = _("list price")
        verbose_name_plural = _("list prices")
        indexes = [models.Index(fields=["product", "currency", "valid_from"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="list_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.amount} {self.currency}"


class PriceList(models.Model):
    """Net prices or discounts for a scope: everyone, a tier, a segment or one partner.

    The most specific scope wins (partner, then segment, then tier, then everyone), see `pricing.py`.
    """

    class Scope(models.TextChoices):
        GENERAL = "general", _("All partners")
        TIER = "tier", _("Tier")
        SEGMENT = "segment", _("Segment")
        PARTNER = "partner", _("Partner")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    external_id = models.CharField(_("external ID"), max_length=80, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.GENERAL)
    tier = models.ForeignKey("partners.Tier", verbose_name=_("tier"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="price_lists")
    segment = models.ForeignKey("partners.Segment", verbose_name=_("segment"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="price_lists")
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.CASCADE,
                                null=True, blank=True, related_name="price_lists")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    priority = models.SmallIntegerField(_("priority"), default=0,
                                        help_text=_("Among lists of the same scope, the higher priority wins."))
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), null=True, blank=True)
    delivery_terms = models.CharField(_("delivery terms"), max_length=80, blank=True,
                                      help_text=_("e.g. an Incoterm such as DAP Hamburg."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["scope", "-priority", "name"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """One rule of a price list: for a product (or a whole category) from a quantity up, a net price or a
    percentage off the list price."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="price_list_items")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="price_list_items")
    min_quantity = models.PositiveIntegerField(_("from quantity"), default=1)
    net_price = models.DecimalField(_("net price"), null=True, blank=True, **MONEY)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["price_list", "product", "category", "min_quantity"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product", "min_quantity"],
                                    condition=Q(product__isnull=False), name="uniq_price_item_product"),
            models.UniqueConstraint(fields=["price_list", "category", "min_quantity"],
                                    condition=Q(product__isnull=True), name="uniq_price_item_category"),
            models.CheckConstraint(condition=Q(product__isnull=False) | Q(category__isnull=False),
                                   name="price_item_has_target"),
            models.CheckConstraint(condition=Q(net_price__isnull=False) | Q(discount_percent__isnull=False),
                                   name="price_item_has_price"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="price_item_min_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}: {self.product_id or self.category_id} ≥{self.min_quantity}"


class PartnerAccount(models.Model):
    """A partner's commercial terms with the vendor: credit limit, payment and delivery terms."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.CASCADE, related_name="commerce_account")
    currency = models.CharField(_("currency"), max_length=3)
    credit_limit = models.DecimalField(_("credit limit"), **MONEY)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    delivery_terms = models.CharField(_("delivery terms"), max_length=80, blank=True)
    on_hold = models.BooleanField(_("orders on hold"), default=False,
                                  help_text=_("New orders are refused while the account is on hold."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner account")
        verbose_name_plural = _("partner accounts")

    def __str__(self) -> str:
        return f"{self.partner_id} {self.credit_limit} {self.currency}"


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(_("country"), max_length=2)
    city = models.CharField(_("city"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """On-hand and reserved quantity of one product in one warehouse; available = on hand − reserved.

    `reserved` only ever changes through conditional UPDATEs (see ADR 0011), and the database refuses
    a row where more is reserved than is on hand.
    """

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_levels")
    on_hand = models.PositiveIntegerField(_("on hand"), default=0)
    reserved = models.PositiveIntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["warehouse", "product"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="uniq_stock_product_warehouse"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class InboundDelivery(models.Model):
    """A planned delivery into a warehouse, with the date it is expected and the history of that date."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_TRANSIT = "in_transit", _("In transit")
        ARRIVED = "arrived", _("Arrived")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(_("reference"), max_length=60, unique=True)
    external_id = models.CharField(_("external ID"), max_length=80, unique=True, null=True, blank=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="inbound_deliveries")
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    ordered_on = models.DateField(_("ordered on"), default=datetime.date.today)
    expected_on = models.DateField(_("expected on"))
    first_expected_on = models.DateField(_("first promised date"))
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expected_on", "id"]
        verbose_name = _("inbound delivery")
        verbose_name_plural = _("inbound deliveries")
        indexes = [models.Index(fields=["status", "expected_on"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DELIVERY_STATUSES

    @property
    def days_late(self) -> int | None:
        """Days between the first promised date and the arrival; None until it arrives."""
        if self.arrived_on is None:
            return None
        return (self.arrived_on - self.first_expected_on).days


OPEN_DELIVERY_STATUSES = (InboundDelivery.Status.PLANNED, InboundDelivery.Status.IN_TRANSIT)


class InboundDeliveryLine(models.Model):
    delivery = models.ForeignKey(InboundDelivery, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="inbound_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    reserved = models.PositiveIntegerField(_("reserved"), default=0)
    received_quantity = models.PositiveIntegerField(_("received"), null=True, blank=True)

    class Meta:
        ordering = ["delivery", "id"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "product"], name="uniq_delivery_product"),
            models.CheckConstraint(condition=Q(reserved__lte=F("quantity")), name="delivery_reserved_within_quantity"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="delivery_quantity_positive"),
        ]
        indexes = [models.Index(fields=["product", "delivery"])]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.quantity} × {self.product_id}"

    @property
    def available(self) -> int:
        return self.quantity - self.reserved


class DeliveryDateChange(models.Model):
    """Append-only history of a delivery's expected date."""

    delivery = models.ForeignKey(InboundDelivery, on_delete=models.CASCADE, related_name="date_changes")
    previous_date = models.DateField(_("previous date"))
    new_date = models.DateField(_("new date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.previous_date} → {self.new_date}"


class Quote(models.Model):
    """A partner's cart while it is being built, then a priced quote it can turn into an order."""

    class Status(models.TextChoices):
        CART = "cart", _("Cart")
        QUOTED = "quoted", _("Quoted")
        ORDERED = "ordered", _("Ordered")
        EXPIRED = "expired", _("Expired")

    number = models.CharField(_("number"), max_length=30, blank=True, db_index=True)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="quotes")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CART)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    quoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [models.Index(fields=["partner", "status"])]

    def __str__(self) -> str:
        return self.number or f"cart {self.pk}"


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    list_price = models.DecimalField(_("list price"), default=0, **MONEY)
    unit_price = models.DecimalField(_("unit price"), default=0, **MONEY)
    line_total = models.DecimalField(_("line total"), default=0, **MONEY)
    price_rule = models.CharField(_("price rule"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["quote", "product"], name="uniq_quote_product")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    external_id = models.CharField(_("external ID"), max_length=80, unique=True, null=True, blank=True)
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="orders")
    quote = models.ForeignKey(Quote, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLACED)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    customer_reference = models.CharField(_("your reference"), max_length=80, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    delivery_terms = models.CharField(_("delivery terms"), max_length=80, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("confirmed or rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["partner", "-placed_at"]), models.Index(fields=["status", "placed_at"])]

    def __str__(self) -> str:
        return self.number


OPEN_ORDER_STATUSES = (Order.Status.PLACED, Order.Status.CONFIRMED, Order.Status.PARTLY_SHIPPED)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    list_price = models.DecimalField(_("list price"), **MONEY)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    line_total = models.DecimalField(_("line total"), **MONEY)
    price_rule = models.CharField(_("price rule"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(shipped_quantity__lte=F("quantity")),
                                              name="order_line_shipped_within_quantity")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.shipped_quantity


class OrderStatusChange(models.Model):
    """Append-only history of an order's status, shown to the partner as tracking."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(_("status"), max_length=20, choices=Order.Status.choices)
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.status}"


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    number = models.CharField(_("number"), max_length=40, unique=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="shipments")
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    tracking_url = models.URLField(_("tracking link"), blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["shipped_at", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipment_lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.quantity}"


class Invoice(models.Model):
    """An invoice or a credit note. `open_amount` is kept by the services with every payment or credit.

    The automation engine sweeps open invoices by due date (`status` + `due_date` index, and a partial
    index on open ones), so both stay plain columns.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Open")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=40, unique=True)
    external_id = models.CharField(_("external ID"), max_length=80, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="invoices")
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="invoices")
    credited_invoice = models.ForeignKey("self", verbose_name=_("credited invoice"), on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="credit_notes")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), **MONEY)
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["partner", "status", "due_date"]),
            models.Index(fields=["partner", "issue_date"]),
            models.Index(fields=["due_date"], condition=Q(status__in=["issued", "partially_paid"]),
                         name="invoice_open_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(open_amount__gte=0) & Q(open_amount__lte=F("total")),
                                   name="invoice_open_within_total"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INVOICE_STATUSES

    @property
    def paid_amount(self):
        return self.total - self.open_amount

    def days_overdue(self, today: datetime.date | None = None) -> int:
        """Whole days past the due date while open (0 when not yet due or settled)."""
        if not self.is_open:
            return 0
        today = today or timezone.localdate()
        return max((today - self.due_date).days, 0)


OPEN_INVOICE_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against one invoice (an ERP sends one row per invoice settled)."""

    external_id = models.CharField(_("external ID"), max_length=80, unique=True, null=True, blank=True)
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="payments")
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT,
                                related_name="payments")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["partner", "received_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class Reservation(models.Model):
    """Quantity held for a partner, from stock on hand in a warehouse or from an incoming delivery line."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CONSUMED = "consumed", _("Used by an order")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.CASCADE,
                                related_name="reservations")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"))
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="reservations")
    delivery_line = models.ForeignKey(InboundDeliveryLine, verbose_name=_("incoming delivery"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="reservations")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField(_("expires at"))
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="reservations")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["partner", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reservation_quantity_positive"),
            models.CheckConstraint(condition=Q(warehouse__isnull=False) | Q(delivery_line__isnull=False),
                                   name="reservation_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} for {self.partner_id}"


class ImportRun(models.Model):
    """One uploaded file and what became of it: either every row applied, or none and the errors."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=20)
    filename = models.CharField(_("file"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"
