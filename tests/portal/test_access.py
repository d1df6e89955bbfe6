"""Who may open the portal: partner people only; staff go to the console, visitors to the login page."""

import pytest
from django.urls import reverse

from accord.partners.roles import Role
from tests.factories import UserFactory

PAGES = ["portal:dashboard", "portal:profile", "portal:team", "portal:manager"]
ADMIN_PAGES = ["portal:profile_edit"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES + ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", PAGES)
def test_vendor_staff_are_sent_to_the_console(client, channel_manager, name):
    client.force_login(channel_manager)

    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"] == reverse("console:dashboard")


@pytest.mark.parametrize("name", PAGES)
def test_people_without_a_partner_role_get_404(client, partner_a, name):
    client.force_login(UserFactory(partner=partner_a, roles=[]))

    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_partner_users_open_every_page(client, partner_user_a, name):
    client.force_login(partner_user_a)

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_are_404_for_partner_users_and_open_for_admins(client, partner_user_a, partner_admin_a, name):
    client.force_login(partner_user_a)
    assert client.get(reverse(name)).status_code == 404

    client.force_login(partner_admin_a)
    assert client.get(reverse(name)).status_code == 200


def test_home_sends_partner_people_to_the_portal(client, partner_user_a):
    client.force_login(partner_user_a)

    assert client.get(reverse("home"))["Location"] == reverse("portal:dashboard")


def test_a_vendor_admin_who_is_also_superuser_still_goes_to_the_console(client, db):
    client.force_login(UserFactory(roles=[Role.VENDOR_ADMIN], is_superuser=True))

    assert client.get(reverse("portal:dashboard"))["Location"] == reverse("console:dashboard")


def test_an_expired_session_sends_htmx_requests_to_sign_in_as_a_whole_page(client, db):
    response = client.post(reverse("portal:manager"), {"subject": "Hi", "body": "Hello"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")
