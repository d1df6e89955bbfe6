"""CSV and XLSX import and export of products, price lists, stock, deliveries, invoices and payments.

This is how a vendor connects its ERP. An import is atomic: every row is tried (each in a savepoint,
so every bad row is reported, by line and column), and if any row is wrong nothing of the file stays.
Re-importing the same file changes nothing: rows are matched on their external ID (or natural key).
Rows go through the same services as the pages, so validation and events are the same.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.commerce import services
from accord.commerce.models import (
    Category,
    ImportRun,
    InboundDelivery,
    Invoice,
    ListPrice,
    Payment,
    PriceList,
    PriceListItem,
    Product,
    StockLevel,
    Warehouse,
)
from accord.commerce.pricing import round_money
from accord.partners.models import Partner, Segment, Tier, User

MAX_ROWS = 200_000


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": str(self.message)}


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RowFailed(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


# --- reading files ---

def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs of a CSV (comma, semicolon or tab) or the first XLSX sheet."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    text = data.decode("utf-8-sig") if not data.startswith(b"\xff\xfe") else data.decode("utf-16")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().lower() for h in next(reader, [])]
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}))
    return header, rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ValidationError({"file": [_("This is not a readable XLSX file (%(error)s).") % {"error": error}]}) \
            from None
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    header = [_cell(h).lower() for h in next(rows_iter, ())]
    rows = []
    for number, values in enumerate(rows_iter, start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        rows.append((number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}))
    workbook.close()
    return header, rows


# --- value parsing: each raises RowFailed naming its column ---

def _text(row: dict, column: str, *, required: bool = True) -> str:
    value = row.get(column, "").strip()
    if required and not value:
        raise RowFailed([(column, _("This column is required."))])
    return value


def _date(row: dict, column: str, *, required: bool = True) -> datetime.date | None:
    value = _text(row, column, required=required)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise RowFailed([(column, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})]) from None


def _int(row: dict, column: str, *, default: int | None = None) -> int | None:
    value = _text(row, column, required=default is None)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RowFailed([(column, _("Enter a whole number."))]) from None


def _product(row: dict, column: str = "sku") -> Product:
    sku = _text(row, column)
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise RowFailed([(column, _("Unknown SKU “%(sku)s”.") % {"sku": sku})])
    return product


def _warehouse(row: dict, column: str = "warehouse") -> Warehouse:
    code = _text(row, column)
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise RowFailed([(column, _("Unknown warehouse “%(code)s”.") % {"code": code})])
    return warehouse


def _partner(row: dict, column: str = "partner") -> Partner:
    """A partner by its Accord id or its tax ID (what an ERP knows it by)."""
    value = _text(row, column)
    match = Q(tax_id__iexact=value)
    if value.isdigit():
        match |= Q(pk=int(value))
    partners = list(Partner.objects.filter(match)[:2])
    if len(partners) != 1:
        raise RowFailed([(column, _("No single partner has the id or tax ID “%(value)s”.") % {"value": value})])
    return partners[0]


# --- row handlers: return "created", "updated" or "unchanged" ---

def _import_product(row: dict, actor: User | None) -> str:
    category = None
    if code := _text(row, "category", required=False):
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise RowFailed([("category", _("Unknown category “%(code)s”.") % {"code": code})])
    lifecycle = _text(row, "lifecycle", required=False) or Product.Lifecycle.AVAILABLE
    if lifecycle not in Product.Lifecycle.values:
        raise RowFailed([("lifecycle", _("Choose one of: %(choices)s.") % {"choices": ", ".join(
            Product.Lifecycle.values)})])
    product, created = services.product_save(
        actor=actor, sku=_text(row, "sku"), external_id=_text(row, "external_id", required=False) or None,
        name=_text(row, "name"), description=_text(row, "description", required=False), category=category,
        lifecycle=lifecycle, release_date=_date(row, "release_date", required=False),
        end_of_life_date=_date(row, "end_of_life_date", required=False),
        unit=_text(row, "unit", required=False) or "pcs")
    if _text(row, "list_price", required=False):
        amount = services.clean_money(row["list_price"], field="list_price")
        services.list_price_set(actor=actor, product=product, currency=_text(row, "currency"),
                                amount=amount, valid_from=_date(row, "valid_from", required=False),
                                valid_to=_date(row, "valid_to", required=False))
    return "created" if created else "updated"


def _import_price_list_item(row: dict, actor: User | None) -> str:
    scope = _text(row, "scope", required=False) or "general"
    target = _text(row, "audience", required=False)
    tier = segment = partner = None
    if scope == "tier":
        tier = Tier.objects.filter(code=target).first()
        if tier is None:
            raise RowFailed([("audience", _("Unknown tier “%(code)s”.") % {"code": target})])
    elif scope == "segment":
        segment = Segment.objects.filter(name=target).first()
        if segment is None:
            raise RowFailed([("audience", _("Unknown segment “%(name)s”.") % {"name": target})])
    elif scope == "partner":
        partner = _partner(row, "audience")
    code = _text(row, "price_list")
    existing = PriceList.objects.filter(code=code).first()
    price_list, created = services.price_list_save(
        actor=actor, code=code, name=_text(row, "name", required=False) or code, currency=_text(row, "currency"),
        scope=scope, tier=tier, segment=segment, partner=partner, valid_from=_date(row, "valid_from"),
        valid_to=_date(row, "valid_to", required=False), priority=_int(row, "priority", default=0),
        payment_terms_days=_int(row, "payment_terms_days", default=0) or None,
        delivery_terms=_text(row, "delivery_terms", required=False),
        external_id=_text(row, "external_id", required=False) or None)
    product = category = None
    if _text(row, "sku", required=False):
        product = _product(row)
    elif code_ := _text(row, "category", required=False):
        category = Category.objects.filter(code=code_).first()
        if category is None:
            raise RowFailed([("category", _("Unknown category “%(code)s”.") % {"code": code_})])
    else:
        raise RowFailed([("sku", _("Give a SKU or a category."))])
    min_quantity = services.clean_quantity(row.get("min_quantity") or 1, field="min_quantity")
    before = PriceListItem.objects.filter(price_list=price_list, product=product, category=category,
                                          min_quantity=min_quantity).first()
    item = services.price_list_item_set(price_list=price_list, product=product, category=category,
                                        min_quantity=min_quantity, net_price=row.get("net_price") or None,
                                        discount_percent=row.get("discount_percent") or None)
    if before is None or created or existing is None:
        return "created"
    same = (before.net_price, before.discount_percent) == (item.net_price, item.discount_percent)
    return "unchanged" if same else "updated"


def _import_stock(row: dict, actor: User | None) -> str:
    warehouse, product = _warehouse(row), _product(row)
    level = StockLevel.objects.filter(warehouse=warehouse, product=product).first()
    on_hand = services.clean_quantity(_text(row, "on_hand"), field="on_hand", allow_zero=True)
    if level is not None and level.on_hand == on_hand:
        return "unchanged"
    services.stock_set(actor=actor, warehouse=warehouse, product=product, on_hand=on_hand)
    return "updated" if level else "created"


def _import_delivery(row: dict, actor: User | None) -> str:
    reference = _text(row, "reference")
    external_id = _text(row, "external_id", required=False) or None
    delivery = InboundDelivery.objects.filter(Q(reference=reference) | Q(external_id=external_id)
                                              if external_id else Q(reference=reference)).first()
    product = _product(row)
    quantity = _text(row, "quantity")
    expected_on = _date(row, "expected_on")
    if delivery is None:
        services.delivery_plan(actor=actor, reference=reference, warehouse=_warehouse(row), expected_on=expected_on,
                               lines={product: quantity}, supplier=_text(row, "supplier", required=False),
                               external_id=external_id)
        return "created"
    changed = False
    if delivery.expected_on != expected_on:
        services.delivery_reschedule(actor=actor, delivery=delivery, expected_on=expected_on,
                                     reason=_text(row, "reason", required=False) or _("ERP update"))
        changed = True
    line = delivery.lines.filter(product=product).first()
    if line is None or line.quantity != services.clean_quantity(quantity):
        services.delivery_line_set(delivery=delivery, product=product, quantity=quantity)
        changed = True
    return "updated" if changed else "unchanged"


def _import_invoice(row: dict, actor: User | None) -> str:
    """One row per invoice (an ERP's open-items list): number, partner, currency, dates and total."""
    number = _text(row, "number")
    external_id = _text(row, "external_id", required=False) or None
    total = services.clean_money(_text(row, "total"), field="total", allow_zero=False)
    existing = Invoice.objects.filter(Q(number=number) | Q(external_id=external_id) if external_id
                                      else Q(number=number)).first()
    if existing is not None:
        if round_money(total, existing.currency) != existing.total:
            raise RowFailed([("total", _("Invoice %(number)s exists with a total of %(total)s; issued invoices are "
                                         "not changed, issue a credit note instead.")
                              % {"number": number, "total": round_money(existing.total, existing.currency)})])
        return "unchanged"
    services.invoice_issue(actor=actor, partner=_partner(row), currency=_text(row, "currency"), number=number,
                           external_id=external_id, issue_date=_date(row, "issue_date"),
                           due_date=_date(row, "due_date", required=False),
                           lines=[{"description": _text(row, "description", required=False) or number,
                                   "quantity": 1, "unit_price": total}])
    return "created"


def _import_payment(row: dict, actor: User | None) -> str:
    external_id = _text(row, "external_id")
    if Payment.objects.filter(external_id=external_id).exists():
        return "unchanged"
    number = _text(row, "invoice")
    invoice = Invoice.objects.filter(number=number).first()
    if invoice is None:
        raise RowFailed([("invoice", _("Unknown invoice “%(number)s”.") % {"number": number})])
    services.payment_record(actor=actor, invoice=invoice, amount=_text(row, "amount"),
                            currency=_text(row, "currency", required=False) or None,
                            received_on=_date(row, "received_on"), reference=_text(row, "reference", required=False),
                            external_id=external_id)
    return "created"


# --- exports: the same columns, so an export can be edited and imported back ---

def _export_products() -> Iterable[list]:
    prices = {}
    for product_id, currency, amount, valid_from, valid_to in ListPrice.objects.order_by("valid_from").values_list(
            "product_id", "currency", "amount", "valid_from", "valid_to"):
        prices[product_id] = (currency, amount, valid_from, valid_to)
    for product in Product.objects.select_related("category").order_by("sku"):
        currency, amount, valid_from, valid_to = prices.get(product.pk, ("", "", "", ""))
        yield [product.sku, product.external_id or "", product.name, product.description,
               product.category.code if product.category else "", product.lifecycle, product.release_date or "",
               product.end_of_life_date or "", product.unit, amount, currency, valid_from, valid_to or ""]


def _export_price_lists() -> Iterable[list]:
    items = PriceListItem.objects.select_related("price_list__tier", "price_list__segment", "price_list__partner",
                                                 "product", "category").order_by("price_list__code", "pk")
    for item in items:
        pl = item.price_list
        audience = {"tier": pl.tier.code if pl.tier else "", "segment": pl.segment.name if pl.segment else "",
                    "partner": pl.partner_id or "", "general": ""}[pl.scope]
        yield [pl.code, pl.external_id or "", pl.name, pl.currency, pl.scope, audience, pl.valid_from,
               pl.valid_to or "", pl.priority, pl.payment_terms_days or "", pl.delivery_terms,
               item.product.sku if item.product else "", item.category.code if item.category else "",
               item.min_quantity, item.net_price if item.net_price is not None else "",
               item.discount_percent if item.discount_percent is not None else ""]


def _export_stock() -> Iterable[list]:
    for warehouse, sku, on_hand, reserved in StockLevel.objects.order_by("warehouse__code", "product__sku").values_list(
            "warehouse__code", "product__sku", "on_hand", "reserved"):
        yield [warehouse, sku, on_hand, reserved]


def _export_deliveries() -> Iterable[list]:
    from accord.commerce.models import InboundDeliveryLine

    for line in InboundDeliveryLine.objects.select_related("delivery__warehouse", "product").order_by(
            "delivery__expected_on", "delivery_id", "pk"):
        d = line.delivery
        yield [d.reference, d.external_id or "", d.warehouse.code, d.supplier, d.expected_on, line.product.sku,
               line.quantity, d.status, line.reserved, d.arrived_on or ""]


def _export_invoices() -> Iterable[list]:
    for invoice in Invoice.objects.filter(kind=Invoice.Kind.INVOICE).select_related("partner").order_by("pk"):
        yield [invoice.number, invoice.external_id or "", invoice.partner_id, invoice.currency, invoice.issue_date,
               invoice.due_date, invoice.total, invoice.note, invoice.status, invoice.open_amount]


def _export_payments() -> Iterable[list]:
    for payment in Payment.objects.select_related("invoice").order_by("pk"):
        yield [payment.external_id or f"accord-{payment.pk}", payment.invoice.number, payment.amount,
               payment.currency, payment.received_on, payment.reference]


@dataclass(frozen=True)
class Kind:
    label: object
    required: tuple[str, ...]
    optional: tuple[str, ...]
    handler: Callable[[dict, User | None], str]
    exporter: Callable[[], Iterable[list]]
    export_extra: tuple[str, ...] = ()  # read-only columns an export adds after the importable ones

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, Kind] = {
    "products": Kind(gettext_lazy("Products and list prices"), ("sku", "name"),
                     ("external_id", "description", "category", "lifecycle", "release_date", "end_of_life_date",
                      "unit", "list_price", "currency", "valid_from", "valid_to"),
                     _import_product, _export_products),
    "price_lists": Kind(gettext_lazy("Price lists"), ("price_list", "currency", "valid_from"),
                        ("external_id", "name", "scope", "audience", "valid_to", "priority", "payment_terms_days",
                         "delivery_terms", "sku", "category", "min_quantity", "net_price", "discount_percent"),
                        _import_price_list_item, _export_price_lists),
    "stock": Kind(gettext_lazy("Stock levels"), ("warehouse", "sku", "on_hand"), (), _import_stock, _export_stock,
                  ("reserved",)),
    "deliveries": Kind(gettext_lazy("Inbound deliveries"), ("reference", "warehouse", "expected_on", "sku",
                                                            "quantity"),
                       ("external_id", "supplier", "reason"), _import_delivery, _export_deliveries,
                       ("status", "reserved", "arrived_on")),
    "invoices": Kind(gettext_lazy("Invoices"), ("number", "partner", "currency", "issue_date", "total"),
                     ("external_id", "due_date", "description"), _import_invoice, _export_invoices,
                     ("status", "open_amount")),
    "payments": Kind(gettext_lazy("Payments"), ("external_id", "invoice", "amount", "received_on"),
                     ("currency", "reference"), _import_payment, _export_payments),
}
EXPORT_COLUMNS = {
    "products": ("sku", "external_id", "name", "description", "category", "lifecycle", "release_date",
                 "end_of_life_date", "unit", "list_price", "currency", "valid_from", "valid_to"),
    "price_lists": ("price_list", "external_id", "name", "currency", "scope", "audience", "valid_from", "valid_to",
                    "priority", "payment_terms_days", "delivery_terms", "sku", "category", "min_quantity",
                    "net_price", "discount_percent"),
    "stock": ("warehouse", "sku", "on_hand", "reserved"),
    "deliveries": ("reference", "external_id", "warehouse", "supplier", "expected_on", "sku", "quantity", "status",
                   "reserved", "arrived_on"),
    "invoices": ("number", "external_id", "partner", "currency", "issue_date", "due_date", "total", "description",
                 "status", "open_amount"),
    "payments": ("external_id", "invoice", "amount", "currency", "received_on", "reference"),
}


def _row_errors(error: ValidationError, columns: Iterable[str]) -> list[tuple[str, str]]:
    """Name the column a service's field error belongs to (a field with the column's name, else the row)."""
    known = set(columns)
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    found = []
    for name, messages in error.message_dict.items():
        column = name if name in known else ("" if name == NON_FIELD_ERRORS else name.split("[")[0])
        if column == "amount" and "total" in known:
            column = "total"
        found += [(column, message) for message in messages]
    return found


def import_file(*, kind: str, data: bytes, filename: str, actor: User | None) -> ImportResult:
    """Apply every row of a file or, if any row is wrong, none; the outcome is kept as an ImportRun."""
    if kind not in KINDS:
        raise ValidationError({"kind": [_("Unknown import kind “%(kind)s”.") % {"kind": kind}]})
    spec = KINDS[kind]
    result = ImportResult(kind=kind)
    try:
        header, rows = read_table(data, filename)
    except (UnicodeDecodeError, csv.Error):
        result.errors.append(RowError(1, "", _("The file is not UTF-8 CSV or XLSX.")))
        header, rows = [], []
    except ValidationError as error:
        result.errors += [RowError(1, "", message) for message in error.messages]
        header, rows = [], []
    if header or not result.errors:
        missing = [c for c in spec.required if c not in header]
        unknown = [c for c in header if c and c not in spec.columns and c not in spec.export_extra]
        result.errors += [RowError(1, c, _("The column is missing.")) for c in missing]
        result.errors += [RowError(1, c, _("Unknown column; expected: %(columns)s.")
                                   % {"columns": ", ".join(spec.columns)}) for c in unknown]
        if not rows and not missing:
            result.errors.append(RowError(1, "", _("The file has no rows.")))
        if len(rows) > MAX_ROWS:
            result.errors.append(RowError(1, "", _("At most %(max)s rows per file.") % {"max": MAX_ROWS}))
    result.rows = len(rows)
    if not result.errors:
        with transaction.atomic():
            for line, row in rows:
                try:
                    with transaction.atomic():
                        outcome = spec.handler(row, actor)
                except RowFailed as failure:
                    result.errors += [RowError(line, column, message) for column, message in failure.errors]
                    continue
                except ValidationError as error:
                    result.errors += [RowError(line, column, message)
                                      for column, message in _row_errors(error, spec.columns)]
                    continue
                setattr(result, outcome, getattr(result, outcome) + 1)
            if result.errors:
                transaction.set_rollback(True)
                result.created = result.updated = result.unchanged = 0
    ImportRun.objects.create(kind=kind, filename=filename[:200],
                             status=ImportRun.Status.REJECTED if result.errors else ImportRun.Status.APPLIED,
                             rows=result.rows, created=result.created, updated=result.updated,
                             errors=[e.as_dict() for e in result.errors[:1000]], uploaded_by=actor)
    return result


def export_rows(kind: str) -> tuple[tuple[str, ...], Iterable[list]]:
    return EXPORT_COLUMNS[kind], KINDS[kind].exporter()


def export_csv(kind: str) -> bytes:
    columns, rows = export_rows(kind)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_plain(v) for v in row])
    return out.getvalue().encode("utf-8")


def export_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind)
    columns, rows = export_rows(kind)
    sheet.append(list(columns))
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _plain(value) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}".rstrip("0")
    return "" if value is None else str(value)
