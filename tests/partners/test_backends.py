"""The authentication backend reads the signed-in user and its roles cheaply, and as strictly as Django's."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accord.partners.backends import AccordBackend
from accord.partners.roles import Role
from tests.factories import PartnerAdminFactory, VendorUserFactory

pytestmark = pytest.mark.django_db


def test_the_user_arrives_with_its_roles(django_assert_num_queries):
    admin = PartnerAdminFactory(first_name="Anna")

    with django_assert_num_queries(1):
        user = AccordBackend().get_user(admin.pk)
        assert user == admin and user.first_name == "Anna" and user.partner_id == admin.partner_id
        assert user.roles == {Role.PARTNER_ADMIN}
        assert user.is_partner_admin and user.is_partner_user and not user.is_vendor
    assert user.date_joined == admin.date_joined  # time-zone aware, as the ORM reads it


def test_groups_that_are_not_roles_are_ignored():
    manager = VendorUserFactory()
    manager.groups.add(Group.objects.create(name="EMEA partners"), Group.objects.create(name="partner_admin x"))

    user = AccordBackend().get_user(manager.pk)

    assert user.roles == {Role.CHANNEL_MANAGER}
    assert user.is_vendor and not user.is_partner_admin


def test_unknown_and_malformed_ids_are_nobody():
    assert AccordBackend().get_user(987654) is None
    assert AccordBackend().get_user("not-a-number") is None


def test_a_deactivated_user_is_signed_out_on_the_next_request(client):
    admin = PartnerAdminFactory()
    client.force_login(admin)
    assert client.get(reverse("portal:dashboard")).status_code == 200

    admin.is_active = False
    admin.save(update_fields=["is_active"])

    assert AccordBackend().get_user(admin.pk) is None
    assert client.get(reverse("portal:dashboard"))["Location"].startswith(reverse("login"))


def test_a_role_taken_away_counts_on_the_next_request(client):
    admin = PartnerAdminFactory()
    client.force_login(admin)
    assert client.get(reverse("portal:profile_edit")).status_code == 200

    admin.groups.set([Group.objects.get(name=Role.PARTNER_USER.value)])

    assert client.get(reverse("portal:profile_edit")).status_code == 404


def test_signing_in_through_the_form_uses_this_backend(client):
    admin = PartnerAdminFactory(email="anna@alpha.example")
    admin.set_password("correct horse battery")
    admin.save()

    response = client.post(reverse("login"), {"username": "anna@alpha.example", "password": "correct horse battery"})

    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "accord.partners.backends.AccordBackend"
    assert client.get(reverse("portal:dashboard")).status_code == 200
