"""A channel manager in real Chromium: live partner search, and the segment editor's live count."""


import pytest
from playwright.sync_api import expect

from accord.partners.models import Segment
from tests.factories import PASSWORD, PartnerFactory, TierFactory, VendorUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)  # two shared cores: give a loaded machine time, never a timed assertion

HTMX_IDLE = "() => !document.querySelector('.htmx-request')"


def _sign_in(page, live_server):
    VendorUserFactory(email="kasia@vendor.example", first_name="Katarzyna", last_name="Nowak")
    page.goto(f"{live_server.url}/accounts/login/?next=/console/partners/")
    page.get_by_label("Email").fill("kasia@vendor.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Partners")).to_be_visible()
    page.wait_for_load_state("networkidle")  # htmx is loaded (deferred) before we type


def test_partner_list_filters_as_you_type(live_server, page):
    PartnerFactory(legal_name="Wisła Integracje Sp. z o.o.", country="PL", city="Kraków")
    PartnerFactory(legal_name="Nordwind Systemhaus GmbH", city="Hamburg")
    _sign_in(page, live_server)
    expect(page.locator("#results")).to_contain_text("2 partners")

    page.get_by_label("Search").press_sequentially("Krak")

    expect(page.locator("#results")).to_contain_text("1 partner")
    expect(page.locator("#results")).not_to_contain_text("Nordwind")
    assert "q=Krak" in page.url  # the filtered list has its own address (htmx pushes it)
    page.get_by_label("Status").select_option("suspended")
    expect(page.locator("#results")).to_contain_text("No partner matches these filters.")


def test_segment_editor_counts_matching_partners_while_the_rule_changes(live_server, page):
    gold = TierFactory(code="gold", name="Gold", rank=20)
    PartnerFactory(legal_name="PL gold", country="PL", tier=gold)
    PartnerFactory(legal_name="PL silver", country="PL")
    PartnerFactory(legal_name="DE gold", country="DE", tier=gold)
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/console/segments/new/")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Name").fill("Gold in Poland")
    page.get_by_label("Value").first.fill("PL")
    preview = page.locator("#segment-preview")
    expect(preview).to_contain_text("2 partners match")

    page.get_by_role("button", name="+ Add condition").click()
    expect(page.locator(".condition-row")).to_have_count(2)
    page.wait_for_function(HTMX_IDLE)
    page.get_by_label("Field").nth(1).select_option("tier")
    page.wait_for_function(HTMX_IDLE)  # the row is re-rendered with the tier's operators first
    page.get_by_label("Value").nth(1).fill("gold")
    expect(preview).to_contain_text("1 partner matches")
    expect(preview).to_contain_text("PL gold")

    page.get_by_label("Value").nth(1).fill("")
    expect(preview).to_contain_text("Condition 2: enter a value for Tier.")

    page.get_by_label("Value").nth(1).fill("gold")
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_text("Segment “Gold in Poland” saved: 1 partner matches it now.")).to_be_visible()
    assert [p.legal_name for p in Segment.objects.get().members.all()] == ["PL gold"]
