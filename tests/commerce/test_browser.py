"""Commerce in real Chromium: the catalog filters as the partner types, and the console rejects an order
inline (htmx swaps the queue row) with the reason the partner then sees."""


import pytest
from playwright.sync_api import expect

from accord.commerce import services
from accord.commerce.models import Order
from accord.partners.roles import Role
from tests.commerce.factories import WarehouseFactory, priced_product
from tests.factories import PASSWORD, PartnerUserFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)  # two shared cores: give a loaded machine time, never a timed assertion


def _sign_in(page, live_server, email: str, target: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={target}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_catalog_filters_as_the_partner_types(live_server, page):
    warehouse = WarehouseFactory(code="main")
    priced_product(sku="AP-6E", name="Access point Wi-Fi 6E", on_hand=5, warehouse=warehouse)
    priced_product(sku="SW-24", name="Switch 24 ports", on_hand=5, warehouse=warehouse)
    PartnerUserFactory(email="anna@partner.example")
    _sign_in(page, live_server, "anna@partner.example", "/portal/commerce/catalog/")
    expect(page.locator("#results")).to_contain_text("SW-24")

    page.get_by_label("Search").press_sequentially("Access")

    expect(page.locator("#results")).not_to_contain_text("SW-24")
    expect(page.locator("#results")).to_contain_text("AP-6E")
    assert "search=Access" in page.url


def test_console_rejects_an_order_inline_with_its_reason(live_server, page):
    buyer = PartnerUserFactory(email="buyer@partner.example")
    product = priced_product(sku="FW-100", on_hand=5, warehouse=WarehouseFactory(code="main"))
    cart = services.cart_set_quantity(user=buyer, product=product, quantity=1, add=True)
    order = services.order_place(user=buyer, quote=cart)
    UserFactory(email="admin@vendor.example", roles=[Role.VENDOR_ADMIN], is_staff=True)
    _sign_in(page, live_server, "admin@vendor.example", "/console/commerce/orders/")
    row = page.locator(f"#order-{order.pk}")

    row.get_by_placeholder("Reason for rejection").fill("Not sold in your region")
    row.get_by_role("button", name="Reject").click()

    expect(page.locator(f"#order-{order.pk}")).to_contain_text("Not sold in your region")
    expect(page.locator(f"#order-{order.pk}")).to_contain_text("Rejected")
    order.refresh_from_db()
    assert order.status == Order.Status.REJECTED
