import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from accord.commerce import imports
from accord.commerce.models import InboundDelivery, Invoice, ListPrice, Payment, PriceListItem, Product, StockLevel

pytestmark = pytest.mark.django_db
TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def run(kind, text: str, filename="file.csv"):
    return imports.import_file(kind=kind, data=text.encode(), filename=filename, actor=None)


def test_products_with_list_prices_and_a_second_run_changes_nothing():
    text = "sku,name,list_price,currency,external_id\nR-1,Router one,100,EUR,erp-1\nR-2,Router two,250.5,EUR,erp-2\n"

    first = run("products", text)
    second = run("products", text)

    assert (first.created, second.created, second.updated) == (2, 0, 2)
    assert Product.objects.count() == 2 and ListPrice.objects.count() == 2


def test_every_bad_row_is_reported_by_line_and_column_and_nothing_is_saved():
    text = ("sku,name,list_price,currency,lifecycle\n"
            "OK-1,Fine,10,EUR,available\n"
            ",No sku,10,EUR,available\n"
            "BAD-2,Bad price,ten,EUR,available\n"
            "BAD-3,Bad lifecycle,10,EUR,sold\n")

    result = run("products", text)

    assert [(e.line, e.column) for e in result.errors] == [(3, "sku"), (4, "list_price"), (5, "lifecycle")]
    assert not Product.objects.exists()


def test_missing_and_unknown_columns_are_named():
    result = run("stock", "warehouse,sku,onhand\nmain,X,1\n")

    assert {(e.line, e.column) for e in result.errors} == {(1, "on_hand"), (1, "onhand")}


def test_stock_levels_unknown_sku_and_fractional_quantities(warehouse, product):
    result = run("stock", f"warehouse,sku,on_hand\nmain,{product.sku},12\nmain,NOPE,3\nmain,{product.sku},2.5\n")

    assert [(e.line, e.column) for e in result.errors] == [(3, "sku"), (4, "on_hand")]
    assert StockLevel.objects.get(product=product).on_hand == 10


def test_deliveries_group_lines_refuse_past_dates_and_reschedule_on_reimport(warehouse, product):
    other = Product.objects.create(sku="CAB-1", name="Cable")
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    bad = run("deliveries", f"reference,warehouse,expected_on,sku,quantity\nIN-9,main,{past},{product.sku},5\n")
    assert [(e.line, e.column) for e in bad.errors] == [(2, "expected_on")]

    text = (f"reference,warehouse,expected_on,sku,quantity\nIN-9,main,{TOMORROW},{product.sku},5\n"
            f"IN-9,main,{TOMORROW},CAB-1,7\n")
    assert run("deliveries", text).ok and run("deliveries", text).unchanged == 2
    later = (timezone.localdate() + datetime.timedelta(days=6)).isoformat()
    assert run("deliveries", text.replace(TOMORROW, later)).updated >= 1

    delivery = InboundDelivery.objects.get(reference="IN-9")
    assert delivery.lines.count() == 2 and delivery.expected_on.isoformat() == later
    assert delivery.date_changes.count() == 1 and other.inbound_lines.get().quantity == 7


def test_invoices_and_payments_from_an_erp_are_idempotent(partner_a):
    partner_a.tax_id = "DE136695976"
    partner_a.save()
    invoices = ("number,partner,currency,issue_date,due_date,total\n"
                "ERP-100,DE136695976,EUR,2026-01-10,2026-02-09,1190.00\n"
                f"ERP-101,{partner_a.pk},EUR,2026-01-12,,500\n")
    payments = ("external_id,invoice,amount,received_on\nBANK-1,ERP-100,190,2026-02-01\n"
                "BANK-2,ERP-101,500,2026-02-02\n")

    assert run("invoices", invoices).created == 2 and run("invoices", invoices).unchanged == 2
    assert run("payments", payments).created == 2 and run("payments", payments).unchanged == 2

    assert Invoice.objects.get(number="ERP-100").open_amount == 1000
    assert Invoice.objects.get(number="ERP-101").status == Invoice.Status.PAID and Payment.objects.count() == 2


def test_payment_larger_than_open_amount_and_currency_mismatch_are_row_errors(partner_a):
    run("invoices", f"number,partner,currency,issue_date,total\nERP-7,{partner_a.pk},EUR,2026-01-10,100\n")

    result = run("payments", "external_id,invoice,amount,received_on,currency\n"
                             "P1,ERP-7,150,2026-02-01,EUR\nP2,ERP-7,10,2026-02-01,USD\nP3,ERP-9,10,2026-02-01,EUR\n")

    assert [(e.line, e.column) for e in result.errors] == [(2, "amount"), (3, "currency"), (4, "invoice")]
    assert not Payment.objects.exists()


def test_a_changed_total_for_an_issued_invoice_is_refused(partner_a):
    run("invoices", f"number,partner,currency,issue_date,total\nERP-8,{partner_a.pk},EUR,2026-01-10,100\n")

    result = run("invoices", f"number,partner,currency,issue_date,total\nERP-8,{partner_a.pk},EUR,2026-01-10,120\n")

    assert result.errors[0].column == "total" and "credit note" in result.errors[0].message


def test_price_lists_with_overlap_errors(partner_a, product):
    text = ("price_list,currency,valid_from,scope,audience,sku,min_quantity,discount_percent\n"
            f"alpha,EUR,2026-01-01,partner,{partner_a.pk},{product.sku},1,5\n"
            f"alpha,EUR,2026-01-01,partner,{partner_a.pk},{product.sku},10,8\n")
    assert run("price_lists", text).created == 2
    clash = run("price_lists", "price_list,currency,valid_from,scope,audience,sku,discount_percent\n"
                               f"beta,EUR,2026-03-01,partner,{partner_a.pk},{product.sku},4\n")

    assert [(e.line, e.column) for e in clash.errors] == [(2, "valid_from")]
    assert PriceListItem.objects.count() == 2


def test_xlsx_files_are_read_like_csv(warehouse, product):
    book = Workbook()
    sheet = book.active
    sheet.append(["warehouse", "sku", "on_hand"])
    sheet.append(["main", product.sku, 33])
    data = io.BytesIO()
    book.save(data)

    result = imports.import_file(kind="stock", data=data.getvalue(), filename="stock.xlsx", actor=None)

    assert result.ok and StockLevel.objects.get(product=product).on_hand == 33


def test_an_export_imports_back_without_changes(warehouse, product):
    for kind in ("products", "stock"):
        result = imports.import_file(kind=kind, data=imports.export_csv(kind), filename=f"{kind}.csv", actor=None)
        assert result.ok, result.errors
        assert result.created == 0


def test_management_command_prints_errors_and_fails(tmp_path, warehouse):
    path = tmp_path / "stock.csv"
    path.write_text("warehouse,sku,on_hand\nmain,NOPE,1\n")

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("commerce_import", "stock", str(path))
