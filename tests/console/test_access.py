import pytest
from django.urls import reverse

from tests.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = [
    ("console:dashboard", {}),
    ("console:partner_list", {}),
    ("console:partner_detail", {"partner_id": "partner"}),
    ("console:partner_edit", {"partner_id": "partner"}),
    ("console:application_list", {}),
    ("console:segment_list", {}),
    ("console:segment_create", {}),
]


def _url(name, kwargs, partner):
    return reverse(name, kwargs=dict.fromkeys(kwargs, partner.pk))


@pytest.mark.parametrize(("name", "kwargs"), CONSOLE_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, name, kwargs):
    url = _url(name, kwargs, PartnerFactory())

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), CONSOLE_PAGES)
def test_partner_people_get_not_found(client, partner_admin_a, name, kwargs):
    client.force_login(partner_admin_a)

    response = client.get(_url(name, kwargs, partner_admin_a.partner))

    assert response.status_code == 404


def test_a_user_without_any_role_gets_not_found(client):
    client.force_login(UserFactory())

    assert client.get(reverse("console:dashboard")).status_code == 404


@pytest.mark.parametrize(("name", "kwargs"), CONSOLE_PAGES)
def test_vendor_staff_open_every_page(client, channel_manager, partner_a, name, kwargs):
    client.force_login(channel_manager)

    assert client.get(_url(name, kwargs, partner_a)).status_code == 200


def test_support_agents_may_read_segments_but_not_edit_them(client, partner_a):
    from accord.partners.roles import Role

    client.force_login(UserFactory(roles=[Role.SUPPORT_AGENT]))

    assert client.get(reverse("console:segment_list")).status_code == 200
    assert client.get(reverse("console:segment_create")).status_code == 404


def test_finance_and_support_staff_read_partners_and_applications_but_do_not_change_them(client, partner_a):
    from accord.partners.models import Application
    from accord.partners.roles import Role
    from tests.partners.factories import ApplicationFactory

    application = ApplicationFactory()
    client.force_login(UserFactory(roles=[Role.FINANCE_APPROVER]))

    page = client.get(reverse("console:partner_detail", kwargs={"partner_id": partner_a.pk})).content.decode()
    assert "Alpha Systems GmbH" in page
    assert 'name="section"' not in page
    assert client.get(reverse("console:partner_edit", kwargs={"partner_id": partner_a.pk})).status_code == 404
    detail = reverse("console:application_detail", kwargs={"application_id": application.pk})
    assert 'name="decision"' not in client.get(detail).content.decode()
    assert client.post(detail, {"decision": "reject", "reason": "No."}).status_code == 404
    assert Application.objects.get().status == "submitted"
