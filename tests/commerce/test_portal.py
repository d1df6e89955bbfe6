import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.commerce import services
from accord.commerce.models import Order, Reservation
from tests.commerce.factories import incoming, open_invoice, priced_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(client, partner_user_a):
    client.force_login(partner_user_a)
    return client


def test_catalog_shows_the_partner_price_the_rule_and_the_arrival_date(client_a, partner_user_a, warehouse,
                                                                        django_assert_max_num_queries):
    partner = partner_user_a.partner
    scarce = priced_product(sku="AP-7", name="Access point 7", on_hand=2, warehouse=warehouse)
    for i in range(5):
        priced_product(sku=f"CAB-{i}", on_hand=50, warehouse=warehouse)
    incoming(scarce, 40, days=12)
    price_list, _ = services.price_list_save(actor=None, code="alpha", name="Alpha terms", currency="EUR",
                                             scope="partner", partner=partner, valid_from=datetime.date(2020, 1, 1))
    services.price_list_item_set(price_list=price_list, product=scarce, net_price="61.50")

    with django_assert_max_num_queries(16):
        response = client_a.get(reverse("portal:commerce_catalog"), {"quantity": 10})

    text = response.content.decode()
    assert response.status_code == 200
    assert "61.50" in text and "Your price list “Alpha terms”: net price for this product." in text
    arrival = (timezone.localdate() + datetime.timedelta(days=12))
    assert "from " + arrival.strftime("%m/%d/%Y") in text


def test_catalog_query_count_does_not_grow_with_products(client_a, warehouse, django_assert_max_num_queries):
    for i in range(30):
        priced_product(sku=f"BULK-{i}", on_hand=5, warehouse=warehouse)
    with django_assert_max_num_queries(16):
        assert client_a.get(reverse("portal:commerce_catalog")).status_code == 200


def test_cart_to_order_in_the_portal(client_a, product):
    response = client_a.post(reverse("portal:commerce_product", kwargs={"product_id": product.pk}),
                             {"cart-quantity": "2", "action": "cart"})
    assert response.status_code == 302

    response = client_a.post(reverse("portal:commerce_cart"), {"action": "order", "customer_reference": "PO-1"})

    order = Order.objects.get()
    assert response.url == reverse("portal:commerce_order_detail", kwargs={"order_id": order.pk})
    page = client_a.get(response.url).content.decode()
    assert order.number in page and "PO-1" in page and "Placed" in page


def test_a_fractional_quantity_is_named_on_the_form_and_nothing_is_added(client_a, product):
    response = client_a.post(reverse("portal:commerce_product", kwargs={"product_id": product.pk}),
                             {"cart-quantity": "1.5", "action": "cart"})

    assert response.status_code == 200
    assert "Quantities are whole units; 1.5 is not." in response.content.decode()
    assert client_a.get(reverse("portal:commerce_cart")).content.decode().count("Your cart is empty") == 1


def test_reserve_from_an_incoming_delivery_and_release(client_a, product):
    line = incoming(product, 30, days=5).lines.get()

    client_a.post(reverse("portal:commerce_product", kwargs={"product_id": product.pk}),
                  {"action": "reserve", "reserve-quantity": "12", "reserve-source": f"delivery-{line.pk}"})

    reservation = Reservation.objects.get()
    assert reservation.delivery_line == line and reservation.quantity == 12
    client_a.post(reverse("portal:commerce_reservation_release", kwargs={"reservation_id": reservation.pk}))
    line.refresh_from_db()
    assert line.reserved == 0


def test_invoices_statement_and_ageing_pages(client_a, partner_user_a):
    invoice = open_invoice(partner_user_a.partner, "120.00", days_overdue=40, number="INV-OLD-1")
    services.payment_record(actor=None, invoice=invoice, amount="20")

    invoices = client_a.get(reverse("portal:commerce_invoice_list"), {"status": "overdue"}).content.decode()
    statement = client_a.get(reverse("portal:commerce_statement"),
                             {"start": "2000-01-01"}).content.decode()
    csv_export = client_a.get(reverse("portal:commerce_statement"), {"start": "2000-01-01", "format": "csv"})

    assert "INV-OLD-1" in invoices and "40 days overdue" in invoices
    assert "Closing balance" in statement and "€100.00" in statement
    assert b"INV-OLD-1" in csv_export.content


def test_other_partners_orders_are_404(client_a, partner_b, product, partner_admin_b):
    cart = services.cart_set_quantity(user=partner_admin_b, product=product, quantity=1, add=True)
    order = services.order_place(user=partner_admin_b, quote=cart)

    assert client_a.get(reverse("portal:commerce_order_detail", kwargs={"order_id": order.pk})).status_code == 404
    assert client_a.post(reverse("portal:commerce_order_detail", kwargs={"order_id": order.pk})).status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


def test_every_portal_commerce_page_renders(client_a, partner_user_a, product):
    open_invoice(partner_user_a.partner, "10")
    for name in ("commerce_catalog", "commerce_cart", "commerce_quote_list", "commerce_order_list",
                 "commerce_invoice_list", "commerce_statement", "commerce_reservation_list", "commerce_notice_list",
                 "dashboard"):
        assert client_a.get(reverse(f"portal:{name}")).status_code == 200, name


def test_the_dashboard_card_sums_what_is_overdue_and_due_this_week_per_currency(client_a, partner_user_a, partner_b,
                                                                                 product):
    from decimal import Decimal

    from accord.commerce import selectors

    partner = partner_user_a.partner
    late = open_invoice(partner, "120.00", days_overdue=10, currency="EUR")
    services.payment_record(actor=None, invoice=late, amount="20.55")
    open_invoice(partner, "50.10", days_overdue=1, currency="EUR")
    open_invoice(partner, "30.05", days_overdue=-3, currency="EUR", number="INV-SOON")
    open_invoice(partner, "500.00", days_overdue=-20, currency="EUR", number="INV-LATER")
    open_invoice(partner, "1000.00", days_overdue=5, currency="PLN")
    paid = open_invoice(partner, "75.00", days_overdue=2, currency="EUR")
    services.payment_record(actor=None, invoice=paid, amount="75.00")
    open_invoice(partner_b, "999.00", days_overdue=3, currency="EUR")
    cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=1, add=True)
    services.order_place(user=partner_user_a, quote=cart)

    card = selectors.portal_dashboard(partner_user_a, today=timezone.localdate())

    assert card["due"] == [{"currency": "EUR", "overdue": Decimal("149.55"), "soon": Decimal("30.05")},
                           {"currency": "PLN", "overdue": Decimal("1000.00"), "soon": Decimal("0.00")}]
    assert card["next_due"]["number"] == "INV-SOON"
    assert card["next_due"]["due_date"] == timezone.localdate() + datetime.timedelta(days=3)
    assert card["open_orders"] == 1
    page = client_a.get(reverse("portal:dashboard")).content.decode()
    assert "€149.55" in page and "€30.05" in page and "Next due: invoice INV-SOON" in page
