import pytest
from django.http import Http404

from accord.commerce import selectors, services
from accord.commerce.models import Product
from tests.commerce.factories import open_invoice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_partner_users_read_only_their_own_invoices_and_vendors_read_all(partner_user_a, partner_b, vendor_admin):
    mine = open_invoice(partner_user_a.partner, "10", number="MINE-1")
    theirs = open_invoice(partner_b, "20", number="THEIRS-1")

    assert list(selectors.invoices_for(partner_user_a)) == [mine]
    assert set(selectors.invoices_for(vendor_admin)) == {mine, theirs}
    with pytest.raises(Http404):
        selectors.invoice_get(partner_user_a, theirs.pk)
    with pytest.raises(Http404):
        selectors.statement(partner_user_a, partner_b)


def test_people_without_a_role_or_deactivated_see_nothing(partner_a, product):
    open_invoice(partner_a, "10")
    no_role = UserFactory(partner=partner_a)
    inactive = UserFactory(partner=partner_a, is_active=False)

    for user in (no_role, inactive):
        assert not selectors.invoices_for(user).exists()
        assert not selectors.catalog(user).exists()
        with pytest.raises(Http404):
            selectors.product_get(user, product.pk)


def test_catalog_search_finds_translated_names(partner_user_a, product):
    product.translations.create(language="ru", name="Коммутатор на 24 порта")

    assert list(selectors.catalog(partner_user_a, search="Коммутатор")) == [product]
    assert list(selectors.catalog(partner_user_a, search="sw-24")) == [product]


def test_draft_notices_are_not_shown_to_partners(partner_user_a, product):
    from accord.commerce.models import ProductNotice

    draft = ProductNotice.objects.create(product=product, title="Draft", body="Not yet")
    assert not selectors.notices_for(partner_user_a).exists()
    services.product_notice_publish(actor=None, notice=draft)
    assert list(selectors.notices_for(partner_user_a)) == [draft]


def test_prices_for_a_product_without_any_price_in_the_currency_are_none(partner_a):
    bare = Product.objects.create(sku="BARE-1", name="No price")

    assert selectors.prices_for(partner_a, [bare])[bare.pk] is None
