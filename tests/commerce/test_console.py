import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.commerce import services
from accord.commerce.models import ImportRun, Invoice, Order, Product
from tests.commerce.factories import incoming, open_invoice
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(client, vendor_admin):
    client.force_login(vendor_admin)
    return client


def _placed(partner_user, product, quantity=1):
    cart = services.cart_set_quantity(user=partner_user, product=product, quantity=quantity, add=True)
    return services.order_place(user=partner_user, quote=cart)


def test_confirmation_queue_lists_placed_orders_and_rejects_with_a_reason_via_htmx(console, partner_user_a, product):
    order = _placed(partner_user_a, product)

    queue = console.get(reverse("console:commerce_order_queue")).content.decode()
    assert order.number in queue and "Alpha Systems GmbH" in queue

    empty = console.post(reverse("console:commerce_order", kwargs={"order_id": order.pk}),
                         {"action": "reject", "reason": ""}, HTTP_HX_REQUEST="true")
    assert "This field is required." in empty.content.decode()
    response = console.post(reverse("console:commerce_order", kwargs={"order_id": order.pk}),
                            {"action": "reject", "reason": "Out of region"}, HTTP_HX_REQUEST="true")

    assert "Rejected" in response.content.decode() and "<html" not in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.REJECTED and order.rejection_reason == "Out of region"


def test_queue_query_count_is_flat(console, partner_user_a, product, django_assert_max_num_queries):
    for _ in range(10):
        _placed(partner_user_a, product)
    with django_assert_max_num_queries(12):
        assert console.get(reverse("console:commerce_order_queue")).status_code == 200


def test_confirm_ship_and_invoice_from_the_order_page(console, partner_user_a, product, warehouse):
    order = _placed(partner_user_a, product, 2)
    url = reverse("console:commerce_order", kwargs={"order_id": order.pk})
    console.post(url, {"action": "confirm"})
    line = order.lines.get()

    console.post(url, {"action": "ship", "warehouse": warehouse.pk, f"line-{line.pk}": "2", "carrier": "DHL",
                       "tracking_number": "JD01"})
    response = console.post(url, {"action": "invoice"})

    invoice = Invoice.objects.get()
    assert response.url == reverse("console:commerce_invoice", kwargs={"invoice_id": invoice.pk})
    assert Order.objects.get().status == Order.Status.SHIPPED and invoice.total == 200


def test_receivables_show_ageing_per_partner_with_totals(console, partner_a, partner_b,
                                                          django_assert_max_num_queries):
    open_invoice(partner_a, "100", days_overdue=100)
    open_invoice(partner_b, "30", days_overdue=10)
    for _ in range(5):
        open_invoice(PartnerFactory(), "5")

    with django_assert_max_num_queries(8):
        page = console.get(reverse("console:commerce_receivables"), {"overdue": "1"}).content.decode()

    assert page.index("Alpha Systems GmbH") < page.index("Beta Networks")  # most overdue first
    assert "€130.00" in page


def test_finance_records_a_payment_and_sees_field_errors(console, partner_a):
    invoice = open_invoice(partner_a, "80")
    url = reverse("console:commerce_invoice", kwargs={"invoice_id": invoice.pk})

    bad = console.post(url, {"action": "pay", "amount": "90", "received_on": timezone.localdate()})
    assert "larger than the open amount" in bad.content.decode()
    console.post(url, {"action": "pay", "amount": "30", "received_on": timezone.localdate(), "reference": "B1"})

    invoice.refresh_from_db()
    assert invoice.open_amount == 50


def test_reschedule_and_receive_a_delivery(console, product, warehouse):
    delivery = incoming(product, 6, days=4)
    url = reverse("console:commerce_delivery", kwargs={"delivery_id": delivery.pk})

    past = console.post(url, {"action": "reschedule", "expected_on": "2001-01-01"})
    assert "The expected arrival date is in the past." in past.content.decode()
    console.post(url, {"action": "reschedule",
                       "expected_on": (timezone.localdate() + datetime.timedelta(days=8)).isoformat(),
                       "reason": "Customs"})
    console.post(url, {"action": "receive", f"received-{delivery.lines.get().pk}": "5"})

    delivery.refresh_from_db()
    assert delivery.status == "arrived" and delivery.date_changes.get().reason == "Customs"
    assert "Customs" in console.get(url).content.decode()


def test_import_page_applies_a_good_file_and_rejects_a_bad_one_entirely(console):
    good = b"sku,name,list_price,currency\nNEW-1,New router,99.90,EUR\nNEW-2,New switch,150,EUR\n"
    bad = b"sku,name,list_price,currency\nNEW-3,Ok,10,EUR\nNEW-4,Bad,-5,EUR\nNEW-5,Bad currency,5,EUX\n"

    console.post(reverse("console:commerce_imports"), {"kind": "products", "file": _file(good, "p.csv")})
    response = console.post(reverse("console:commerce_imports"), {"kind": "products", "file": _file(bad, "b.csv")})

    text = response.content.decode()
    assert "Nothing was imported: 2 errors." in text
    assert set(Product.objects.values_list("sku", flat=True)) == {"NEW-1", "NEW-2"}
    assert list(ImportRun.objects.values_list("status", flat=True)) == ["rejected", "applied"]


def test_exports_download(console, product):
    csv_file = console.get(reverse("console:commerce_export"), {"kind": "products"})
    xlsx = console.get(reverse("console:commerce_export"), {"kind": "stock", "format": "xlsx"})

    assert product.sku in csv_file.content.decode() and xlsx.content[:2] == b"PK"


def test_console_pages_render_and_partner_users_get_404(console, client, partner_user_a, partner_a, product):
    for name in ("commerce_order_queue", "commerce_receivables", "commerce_stock", "commerce_deliveries",
                 "commerce_imports", "dashboard"):
        assert console.get(reverse(f"console:{name}")).status_code == 200, name
    assert "Orders and receivables" in console.get(
        reverse("console:partner_detail", kwargs={"partner_id": partner_a.pk})).content.decode()
    client.force_login(partner_user_a)
    assert client.get(reverse("console:commerce_receivables")).status_code == 404


def _file(data: bytes, name: str):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_admin_action_publishes_a_notice_and_emits(client, vendor_admin, product):
    from accord.automation.models import Event
    from accord.commerce.models import ProductNotice

    vendor_admin.is_superuser = True
    vendor_admin.save()
    client.force_login(vendor_admin)
    notice = ProductNotice.objects.create(product=product, title="Fan noise", body="Fans spin at 100%.")

    client.post("/admin/commerce/productnotice/", {"action": "publish", "_selected_action": [notice.pk]})

    notice.refresh_from_db()
    assert notice.status == ProductNotice.Status.PUBLISHED
    assert Event.objects.filter(type="product_notice.published").count() == 1


def test_channel_manager_reserves_incoming_goods_for_a_partner(client, channel_manager, partner_a, product):
    delivery = incoming(product, 10, days=6, reference="PO-CAM-1")
    client.force_login(channel_manager)
    url = reverse("console:commerce_partner_reserve", kwargs={"partner_id": partner_a.pk})

    bad = client.post(url, {"sku": product.sku, "quantity": "4", "delivery": "PO-NOPE"})
    assert "No open delivery with this reference" in bad.content.decode()
    client.post(url, {"sku": product.sku, "quantity": "4", "delivery": "PO-CAM-1", "note": "Tender"})

    line = delivery.lines.get()
    assert line.reserved == 4 and line.reservations.get().partner == partner_a


def test_plan_a_delivery_from_the_console_with_line_errors(console, product, warehouse):
    url = reverse("console:commerce_deliveries")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    bad = console.post(url, {"reference": "PO-1", "warehouse": warehouse.pk, "expected_on": tomorrow,
                             "lines": f"{product.sku} 5\nNOPE 3\n{product.sku}"})
    assert "Line 3: write the SKU and the quantity" in bad.content.decode()
    bad = console.post(url, {"reference": "PO-1", "warehouse": warehouse.pk, "expected_on": tomorrow,
                             "lines": f"{product.sku} 5\nNOPE 3"})
    assert "Line 2: unknown SKU “NOPE”." in bad.content.decode()
    console.post(url, {"reference": "PO-1", "warehouse": warehouse.pk, "expected_on": tomorrow,
                       "lines": f"{product.sku} 5"})

    assert product.inbound_lines.get().quantity == 5
