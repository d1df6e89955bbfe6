"""A partner in real Chromium: sign in, switch to Polish, edit the profile, write to the channel manager."""


import pytest
from django.core import mail
from playwright.sync_api import expect

from accord.partners.models import ManagerMessage
from tests.factories import PASSWORD, PartnerAdminFactory, PartnerFactory, VendorUserFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are safe
# here because the live server answers from its own thread.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_signs_in_switches_to_polish_edits_profile_and_messages_the_manager(live_server, page):
    manager = VendorUserFactory(email="katarzyna@vendor.example", first_name="Katarzyna", last_name="Nowak",
                                phone="+48225551234")
    partner = PartnerFactory(legal_name="Alpha Systems GmbH", channel_manager=manager)
    anna = PartnerAdminFactory(partner=partner, email="anna@alpha.example", first_name="Anna")

    # sign in
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("anna@alpha.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Anna")).to_be_visible()

    # switch the language to Polish with the select in the top bar
    page.locator("#language-select").select_option("pl")
    expect(page.get_by_role("heading", name="Witaj, Anna")).to_be_visible()
    expect(page.get_by_role("heading", name="Twój opiekun handlowy")).to_be_visible()
    anna.refresh_from_db()
    assert anna.language == "pl"

    # edit the company profile
    page.get_by_role("link", name="Profil firmy").click()
    page.get_by_role("link", name="Edytuj profil").click()
    page.get_by_label("Nazwa handlowa").fill("Alpha Polska")
    page.get_by_label("Telefon").fill("+48 22 555 12 34")
    page.get_by_role("button", name="Zapisz profil").click()
    expect(page.get_by_text("Profil firmy został zapisany.")).to_be_visible()
    expect(page.locator("dl.props").first).to_contain_text("Alpha Polska")
    partner.refresh_from_db()
    assert (partner.trading_name, partner.phone) == ("Alpha Polska", "+48225551234")

    # write to the channel manager from the card (htmx swaps the card in place)
    card = page.locator("#channel-manager-card")
    card.get_by_label("Temat").fill("Demo units")
    card.get_by_label("Wiadomość").fill("Could we borrow two demo units next week?")
    card.get_by_role("button", name="Wyślij wiadomość").click()
    expect(page.locator("#channel-manager-card")).to_contain_text("Dziękujemy. Twoja wiadomość została wysłana")
    assert page.url.endswith("/portal/company/")  # no page load: the card was swapped in place
    message = ManagerMessage.objects.get()
    assert (message.sender, message.recipient, message.subject) == (anna, manager, "Demo units")
    (sent,) = mail.outbox
    assert sent.to == ["katarzyna@vendor.example"] and sent.reply_to == ["anna@alpha.example"]
    assert "Could we borrow two demo units next week?" in sent.body
