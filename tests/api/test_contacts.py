import pytest
from django.core import mail

from accord.partners.models import User
from accord.partners.roles import Role
from tests.api.conftest import fields_of
from tests.factories import PartnerUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_partner_user_lists_its_colleagues_only(api_as, partner_user_a, partner_admin_a, partner_admin_b):
    page = api_as(partner_user_a).get("/contacts").json()

    assert {c["email"] for c in page["items"]} == {"user@alpha.example", "admin@alpha.example"}
    roles = {c["email"]: c["role"] for c in page["items"]}
    assert roles["admin@alpha.example"] == "partner_admin"


def test_vendor_filters_contacts_by_partner_and_search(api_as, channel_manager, partner_admin_a, partner_admin_b):
    client = api_as(channel_manager)

    by_partner = client.get("/contacts", partner_id=partner_admin_b.partner_id).json()
    by_search = client.get("/contacts", search="alpha").json()

    assert [c["email"] for c in by_partner["items"]] == ["admin@beta.example"]
    assert [c["email"] for c in by_search["items"]] == ["admin@alpha.example"]
    assert all(c["partner_id"] for c in client.get("/contacts").json()["items"])  # vendor staff are no contacts


def test_contact_list_query_count_is_flat(api_as, vendor_admin, partner_a, django_assert_max_num_queries):
    PartnerUserFactory.create_batch(15, partner=partner_a)
    client = api_as(vendor_admin)

    # token, last-used stamp, roles, count, page, groups
    with django_assert_max_num_queries(6):
        assert len(client.get("/contacts").json()["items"]) == 15


def test_contact_list_items_are_exactly_what_the_detail_endpoint_answers(api_as, vendor_admin, partner_admin_a,
                                                                        partner_user_a):
    # given an admin, a user, an inactive person and one with both partner roles (reported as admin)
    PartnerUserFactory(partner=partner_admin_a.partner, email="gone@alpha.example", is_active=False)
    PartnerUserFactory(partner=partner_admin_a.partner, email="both@alpha.example",
                       roles=[Role.PARTNER_USER, Role.PARTNER_ADMIN])
    client = api_as(vendor_admin)

    items = client.get("/contacts", ordering="email").json()["items"]

    assert [(item["email"], item["role"]) for item in items] == [
        ("admin@alpha.example", "partner_admin"), ("both@alpha.example", "partner_admin"),
        ("gone@alpha.example", "partner_user"), ("user@alpha.example", "partner_user")]
    for item in items:
        assert item == client.get(f"/contacts/{item['id']}").json()


def test_colleague_of_another_partner_is_404(api_as, partner_admin_a, partner_admin_b):
    client = api_as(partner_admin_a)

    assert client.get(f"/contacts/{partner_admin_b.pk}").status_code == 404
    assert client.get(f"/contacts/{partner_admin_a.pk}").json()["email"] == "admin@alpha.example"


def test_vendor_staff_are_not_contacts(api_as, vendor_admin, channel_manager):
    assert api_as(vendor_admin).get(f"/contacts/{channel_manager.pk}").status_code == 404


def test_partner_admin_invites_a_colleague(api_as, partner_admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(partner_admin_a).post("/contacts", {
            "email": "New.Person@Alpha.example", "first_name": "Nina", "last_name": "Neu", "phone": "030 901820",
            "role": "partner_user"})

    assert response.status_code == 201, response.json()
    contact = response.json()
    assert (contact["email"], contact["partner_id"], contact["role"]) == (
        "new.person@alpha.example", partner_admin_a.partner_id, "partner_user")
    assert contact["phone"] == "+4930901820"
    assert mail.outbox[-1].to == ["new.person@alpha.example"]
    assert not User.objects.get(email="new.person@alpha.example").has_usable_password()


def test_partner_admin_cannot_invite_into_another_partner(api_as, partner_admin_a, partner_b):
    response = api_as(partner_admin_a).post("/contacts", {"partner_id": partner_b.pk, "email": "x@beta.example"})

    assert response.status_code == 404
    assert not User.objects.filter(email="x@beta.example").exists()


def test_partner_user_may_not_invite(api_as, partner_user_a):
    response = api_as(partner_user_a).post("/contacts", {"email": "x@alpha.example"})

    assert response.status_code == 403


def test_invite_errors_name_the_field(api_as, partner_admin_a):
    response = api_as(partner_admin_a).post("/contacts", {"email": "admin@alpha.example", "phone": "12",
                                                          "role": "vendor_admin"})

    assert response.status_code == 422
    assert set(fields_of(response)) == {"role"}
    response = api_as(partner_admin_a).post("/contacts", {"email": "admin@alpha.example", "phone": "12"})
    assert set(fields_of(response)) == {"email", "phone"}


def test_vendor_must_say_which_partner(api_as, channel_manager, partner_a):
    client = api_as(channel_manager)

    assert set(fields_of(client.post("/contacts", {"email": "x@alpha.example"}))) == {"partner_id"}
    created = client.post("/contacts", {"email": "x@alpha.example", "partner_id": partner_a.pk,
                                        "role": "partner_admin"})
    assert created.status_code == 201
    assert Role.PARTNER_ADMIN in User.objects.get(email="x@alpha.example").roles


def test_finance_approver_may_read_but_not_invite(api_as, partner_a):
    finance = UserFactory(roles=[Role.FINANCE_APPROVER])
    client = api_as(finance)

    assert client.get("/contacts").status_code == 200
    assert client.post("/contacts", {"email": "x@alpha.example", "partner_id": partner_a.pk}).status_code == 403


def test_partner_admin_deactivates_and_reactivates_a_colleague(api_as, partner_admin_a, partner_user_a):
    client = api_as(partner_admin_a)

    response = client.post(f"/contacts/{partner_user_a.pk}/deactivate")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert client.post(f"/contacts/{partner_user_a.pk}/reactivate").json()["is_active"] is True


def test_cannot_deactivate_yourself_or_the_last_admin(api_as, partner_admin_a, channel_manager):
    response = api_as(partner_admin_a).post(f"/contacts/{partner_admin_a.pk}/deactivate")

    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": None, "message": "You cannot deactivate yourself."}
    refused = api_as(channel_manager).post(f"/contacts/{partner_admin_a.pk}/deactivate")
    assert refused.status_code == 422
    assert "last active partner admin" in refused.json()["errors"][0]["message"]
    partner_admin_a.refresh_from_db()
    assert partner_admin_a.is_active


def test_deactivating_another_partners_person_is_404(api_as, partner_admin_a, partner_admin_b):
    response = api_as(partner_admin_a).post(f"/contacts/{partner_admin_b.pk}/deactivate")

    assert response.status_code == 404
    partner_admin_b.refresh_from_db()
    assert partner_admin_b.is_active


def test_partner_user_may_not_deactivate(api_as, partner_user_a, partner_admin_a):
    response = api_as(partner_user_a).post(f"/contacts/{partner_admin_a.pk}/deactivate")

    assert response.status_code == 403


def test_contacts_ordering(api_as, vendor_admin, partner_a):
    PartnerUserFactory(partner=partner_a, email="b@alpha.example", last_name="Zimmer")
    PartnerUserFactory(partner=partner_a, email="a@alpha.example", last_name="Adler")
    client = api_as(vendor_admin)

    by_name = [c["last_name"] for c in client.get("/contacts").json()["items"]]
    by_email_desc = [c["email"] for c in client.get("/contacts", ordering="-email").json()["items"]]

    assert by_name == ["Adler", "Zimmer"]
    assert by_email_desc == ["b@alpha.example", "a@alpha.example"]
    assert client.get("/contacts", ordering="password").status_code == 422
