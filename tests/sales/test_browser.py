"""A partner in real Chromium registers a deal that duplicates another partner's, sees why, and appeals."""

import datetime

import pytest
from playwright.sync_api import expect

from accord.sales.models import Deal, DealRequest
from tests.factories import PASSWORD, PartnerAdminFactory, PartnerFactory, PartnerUserFactory, VendorUserFactory
from tests.sales.factories import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_registers_a_duplicate_sees_the_verdict_and_appeals(live_server, page):
    manager = VendorUserFactory(email="cam@vendor.example")
    first = PartnerFactory(legal_name="First Partner GmbH", channel_manager=manager)
    register(PartnerUserFactory(partner=first), company_name="ООО «Ромашка»")
    second = PartnerFactory(legal_name="Second Partner Sp. z o.o.", channel_manager=manager)
    PartnerAdminFactory(partner=second, email="piotr@second.example")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("piotr@second.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Register a deal").first.click()
    page.get_by_label("End customer").fill("Romashka LLC")
    page.get_by_label("Country").select_option("RU")
    page.get_by_label("Estimated value").fill("40000")
    page.get_by_label("Expected close date").fill((datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Register").click()

    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("Duplicate")
    expect(verdict).to_contain_text("by another partner")
    expect(page.locator("main")).not_to_contain_text("First Partner")

    page.get_by_label("Reason").fill("We have worked with their Kazan branch since spring.")
    page.get_by_role("button", name="Appeal to my channel manager").click()
    expect(page.get_by_text("Your appeal is with your channel manager.")).to_be_visible()
    deal = Deal.objects.get(partner=second)
    assert deal.status == Deal.Status.REJECTED
    assert DealRequest.objects.get(deal=deal).kind == DealRequest.Kind.APPEAL
