import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accord.api.models import ApiToken
from accord.api.services import api_token_create, api_token_revoke
from tests.factories import PartnerAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_only_the_digest_is_stored(partner_admin_a):
    token, key = api_token_create(user=partner_admin_a, name="ERP sync")

    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.key_digest, stored.prefix, stored.name)
    assert key.startswith(stored.prefix)
    assert len(key) > 40


def test_token_acts_as_its_owner_and_records_last_use(client, partner_admin_a, partner_b):
    token, key = api_token_create(user=partner_admin_a, name="ERP sync")

    page = client.get("/api/v1/partners", headers=_bearer(key)).json()

    assert [p["id"] for p in page["items"]] == [partner_admin_a.partner_id]
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("key", ["", "acc_wrong", "Token abc", "acc_" + "x" * 43])
def test_unknown_keys_are_401(client, key):
    response = client.get("/api/v1/partners", headers=_bearer(key))

    assert response.status_code == 401


def test_revoked_token_and_deactivated_owner_are_401(client, partner_admin_a):
    token, key = api_token_create(user=partner_admin_a, name="ERP sync")
    assert client.get("/api/v1/partners", headers=_bearer(key)).status_code == 200

    api_token_revoke(token=token)
    assert client.get("/api/v1/partners", headers=_bearer(key)).status_code == 401

    _token, other_key = api_token_create(user=partner_admin_a, name="CRM")
    partner_admin_a.is_active = False
    partner_admin_a.save()
    assert client.get("/api/v1/partners", headers=_bearer(other_key)).status_code == 401


def test_token_needs_no_csrf(partner_admin_a):
    _token, key = api_token_create(user=partner_admin_a, name="ERP sync")
    integration = Client(enforce_csrf_checks=True)

    response = integration.patch(f"/api/v1/partners/{partner_admin_a.partner_id}", '{"trading_name": "Alpha"}',
                                 content_type="application/json", headers=_bearer(key))

    assert response.status_code == 200


def test_token_without_a_name_is_refused(partner_admin_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        api_token_create(user=partner_admin_a, name="  ")
    assert "name" in error.value.message_dict


def test_command_creates_lists_and_revokes(capsys, client):
    owner = PartnerAdminFactory(email="erp@alpha.example")

    call_command("api_token", "create", "--user", "ERP@alpha.example", "--name", "ERP sync")
    out = capsys.readouterr().out
    key = re.search(r"^(acc_\S+)$", out, re.MULTILINE).group(1)
    assert client.get("/api/v1/partners", headers=_bearer(key)).status_code == 200

    call_command("api_token", "list", "--user", owner.email)
    listing = capsys.readouterr().out
    assert "ERP sync" in listing and "active" in listing and key not in listing

    token = ApiToken.objects.get()
    call_command("api_token", "revoke", str(token.pk))
    assert client.get("/api/v1/partners", headers=_bearer(key)).status_code == 401
    call_command("api_token", "list")
    assert "revoked" in capsys.readouterr().out


def test_command_names_the_bad_argument():
    with pytest.raises(CommandError, match="--user"):
        call_command("api_token", "create", "--user", "nobody@example.com", "--name", "X")
    UserFactory(email="someone@example.com")
    with pytest.raises(CommandError, match="--name"):
        call_command("api_token", "create", "--user", "someone@example.com", "--name", " ")


def test_admin_shows_the_key_once(client, vendor_admin):
    vendor_admin.is_superuser = True
    vendor_admin.save()
    owner = PartnerAdminFactory()
    client.force_login(vendor_admin)

    response = client.post("/admin/api/apitoken/add/", {"name": "Shop", "user": owner.pk}, follow=True)

    token = ApiToken.objects.get()
    text = response.content.decode()
    key = re.search(r"(acc_[A-Za-z0-9_-]+)", text).group(1)
    assert key.startswith(token.prefix)
    assert Client().get("/api/v1/partners", headers=_bearer(key)).status_code == 200
    detail = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert key not in detail


def test_admin_revokes(client, vendor_admin):
    vendor_admin.is_superuser = True
    vendor_admin.save()
    token, _key = api_token_create(user=PartnerAdminFactory(), name="Shop")
    client.force_login(vendor_admin)

    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_changes_are_in_the_audit_log(partner_admin_a):
    from auditlog.models import LogEntry

    token, _key = api_token_create(user=partner_admin_a, name="ERP sync")
    api_token_revoke(token=token)

    entries = LogEntry.objects.get_for_object(token)
    assert entries.count() == 2
    assert all("key_digest" not in entry.changes_dict for entry in entries)


def test_admin_refuses_a_token_for_a_deactivated_user(client, vendor_admin):
    vendor_admin.is_superuser = True
    vendor_admin.save()
    owner = PartnerAdminFactory(is_active=False, email="gone@alpha.example")
    client.force_login(vendor_admin)

    response = client.post("/admin/api/apitoken/add/", {"name": "Shop", "user": owner.pk})

    assert response.status_code == 200
    assert "gone@alpha.example is deactivated." in response.content.decode()
    assert not ApiToken.objects.exists()
