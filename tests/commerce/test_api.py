import datetime
import io

import pytest
from django.utils import timezone

from accord.commerce import services
from accord.commerce.models import Order, Payment, Reservation
from tests.commerce.factories import incoming, open_invoice, priced_product

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def api_a(client, partner_user_a):
    client.force_login(partner_user_a)
    return client


@pytest.fixture
def api_vendor(client, vendor_admin):
    client.force_login(vendor_admin)
    return client


def test_price_endpoint_explains_the_rule(api_a, partner_user_a, product):
    price_list, _ = services.price_list_save(actor=None, code="silver", name="Silver", currency="EUR", scope="tier",
                                             tier=partner_user_a.partner.tier, valid_from=datetime.date(2020, 1, 1))
    services.price_list_item_set(price_list=price_list, product=product, discount_percent="20", min_quantity=3)

    body = api_a.get(f"{API}/products/{product.pk}/price", {"quantity": 3}).json()

    assert body["unit_price"] == "80.00" and body["line_total"] == "240.00"
    assert body["rule"] == "Tier price list “Silver”: 20% off the list price for this product from 3 units."


def test_availability_for_a_cart_in_two_queries_plus_auth(api_a, product, warehouse, django_assert_max_num_queries):
    others = [priced_product(on_hand=1, warehouse=warehouse) for _ in range(10)]
    incoming(others[0], 10, days=4)
    lines = [{"sku": product.sku, "quantity": 4}] + [{"sku": p.sku, "quantity": 5} for p in others]

    with django_assert_max_num_queries(7):
        response = api_a.post(f"{API}/availability", {"lines": lines}, content_type="application/json")

    answers = {a["product_id"]: a for a in response.json()}
    assert answers[product.pk]["in_stock"] is True
    assert answers[others[0].pk]["earliest_date"] == str(timezone.localdate() + datetime.timedelta(days=4))
    assert answers[others[1].pk]["earliest_date"] is None


def test_unknown_sku_is_a_field_error(api_a):
    response = api_a.post(f"{API}/availability", {"lines": [{"sku": "NOPE", "quantity": 1}]},
                          content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "lines", "message": "Unknown SKU(s): NOPE."}]


def test_negative_quantity_is_refused_by_the_schema(api_a, product):
    response = api_a.put(f"{API}/cart/lines", {"sku": product.sku, "quantity": -2}, content_type="application/json")

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "quantity"


def test_cart_order_confirm_and_track_through_the_api(api_a, client, product, vendor_admin):
    api_a.put(f"{API}/cart/lines", {"sku": product.sku, "quantity": 2}, content_type="application/json")
    order = api_a.post(f"{API}/cart/order", {"customer_reference": "PO-API"}, content_type="application/json").json()
    assert order["status"] == "placed" and order["lines"][0]["quantity"] == 2

    assert api_a.post(f"{API}/orders/{order['id']}/confirm").status_code == 403
    client.force_login(vendor_admin)
    confirmed = client.post(f"{API}/orders/{order['id']}/confirm").json()

    assert [h["status"] for h in confirmed["history"]] == ["placed", "confirmed"]
    assert Order.objects.get().status == Order.Status.CONFIRMED


def test_payment_larger_than_open_amount_is_422_and_saves_nothing(api_vendor, partner_a):
    invoice = open_invoice(partner_a, "50.00")

    response = api_vendor.post(f"{API}/invoices/{invoice.pk}/payments", {"amount": "60"},
                               content_type="application/json")

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "amount"
    assert not Payment.objects.exists()


def test_statement_and_ageing_are_scoped(api_a, partner_user_a, partner_b):
    open_invoice(partner_user_a.partner, "70", days_overdue=45)
    open_invoice(partner_b, "999")

    statement = api_a.get(f"{API}/statement", {"start": "2000-01-01"}).json()
    ageing = api_a.get(f"{API}/ageing").json()

    assert float(statement["closing_balance"]) == 70
    assert [float(row["days_31_60"]) for row in ageing] == [70]
    assert api_a.get(f"{API}/statement", {"partner_id": partner_b.pk}).status_code == 404


def test_reservation_through_the_api_reports_what_is_free(api_a, product):
    made = api_a.post(f"{API}/reservations", {"sku": product.sku, "quantity": 6}, content_type="application/json")
    refused = api_a.post(f"{API}/reservations", {"sku": product.sku, "quantity": 6}, content_type="application/json")

    assert made.status_code == 201 and made.json()["warehouse"] == "main"
    assert refused.status_code == 422 and "Only 4" in refused.json()["errors"][0]["message"]
    assert api_a.delete(f"{API}/reservations/{made.json()['id']}").status_code == 204
    assert Reservation.objects.get().status == Reservation.Status.CANCELLED


def test_import_endpoint_lists_every_error_and_is_atomic(api_vendor, warehouse):
    data = b"warehouse,sku,on_hand\nmain,NOPE,5\nmain,ALSO-NOPE,-1\n"

    response = api_vendor.post(f"{API}/imports", {"kind": "stock", "file": io.BytesIO(data)})

    assert response.status_code == 422
    assert [(e["line"], e["column"]) for e in response.json()["errors"]] == [(2, "sku"), (3, "sku")]


def test_partner_users_cannot_import(api_a):
    response = api_a.post(f"{API}/imports", {"kind": "stock", "file": io.BytesIO(b"warehouse,sku,on_hand\n")})
    assert response.status_code == 403


def test_order_list_query_count_is_flat(api_a, partner_user_a, product, django_assert_max_num_queries):
    for _ in range(8):
        cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=1, add=True)
        services.order_place(user=partner_user_a, quote=cart)
    with django_assert_max_num_queries(6):
        assert len(api_a.get(f"{API}/orders").json()["items"]) == 8
