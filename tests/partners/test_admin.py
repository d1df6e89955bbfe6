"""Django admin: configuration changes are validated like everywhere else and audited (who, what, when)."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accord.partners.models import Partner, QualificationQuestion, Segment, Tier
from accord.partners.roles import Role
from accord.partners.services import user_set_roles
from tests.factories import PartnerFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(email="root@vendor.example", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_an_admin_change_is_recorded_with_who_what_and_when(admin_client, superuser):
    tier = TierFactory(code="gold", name="Gold", rank=20)
    before = timezone.now()

    response = admin_client.post(reverse("admin:partners_tier_change", args=[tier.pk]),
                                 {"code": "gold", "name": "Gold Plus", "rank": 25, "description": ""})

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(Tier.objects.get(pk=tier.pk)).latest("timestamp")
    assert entry.actor == superuser
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict["name"] == ["Gold", "Gold Plus"]
    assert entry.changes_dict["rank"] == ["20", "25"]
    assert entry.timestamp >= before


def test_the_history_is_visible_in_the_admin(admin_client, superuser):
    tier = TierFactory(code="gold", name="Gold", rank=20)
    admin_client.post(reverse("admin:partners_tier_change", args=[tier.pk]),
                      {"code": "gold", "name": "Gold Plus", "rank": 20, "description": ""})
    history_url = reverse("admin:partners_tier_auditlog", args=[tier.pk])

    page = admin_client.get(history_url).content.decode()

    assert "Gold Plus" in page
    assert str(superuser) in page
    assert history_url in admin_client.get(reverse("admin:partners_tier_changelist")).content.decode()


def test_role_changes_are_audited_and_passwords_are_not():
    person = UserFactory()
    person.set_password("another secret")
    person.save()

    user_set_roles(user=person, roles=[Role.FINANCE_APPROVER])

    entries = list(LogEntry.objects.get_for_object(person))
    assert not any("password" in (e.changes_dict or {}) for e in entries)
    assert any("groups" in (e.changes_dict or {}) for e in entries)


def test_partner_admin_form_checks_the_tax_id_for_the_country(admin_client):
    partner = PartnerFactory(country="PL", tax_id="", time_zone="Europe/Warsaw")
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: "" if form.initial.get(name) is None else form.initial[name]
            for name in form.fields if name not in {"industries", "specialisations"}}
    data.update({"tax_id": "123", "channel_manager": partner.channel_manager_id, "tier": partner.tier_id})

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "tax_id" in response.context["adminform"].form.errors
    assert Partner.objects.get(pk=partner.pk).tax_id == ""

    data["tax_id"] = "526-025-02-74"
    assert admin_client.post(url, data).status_code == 302
    assert Partner.objects.get(pk=partner.pk).tax_id == "5260250274"


def test_segment_rules_are_validated_and_membership_refreshed(admin_client):
    PartnerFactory(country="PL")
    add = reverse("admin:partners_segment_add")

    bad = admin_client.post(add, {"name": "Poland", "description": "",
                                  "rule": '{"field": "country", "op": "near", "value": "PL"}'})
    assert "rule.op" in " ".join(bad.context["adminform"].form.errors["rule"])
    assert not Segment.objects.exists()

    admin_client.post(add, {"name": "Poland", "description": "",
                            "rule": '{"field": "country", "op": "eq", "value": "PL"}'})
    assert Segment.objects.get().members.count() == 1


def test_question_choices_are_validated(admin_client):
    response = admin_client.post(reverse("admin:partners_qualificationquestion_add"), {
        "text": "Engineers?", "help_text": "", "weight": 1, "position": 0, "is_active": "on",
        "choices": '[{"value": "a", "label": "A", "points": -3}]', "translations": "{}"})

    assert "points must be a whole number" in " ".join(response.context["adminform"].form.errors["choices"])
    assert not QualificationQuestion.objects.exists()
