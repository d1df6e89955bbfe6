import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accord.automation.models import Event
from accord.partners.models import ManagerMessage, Partner
from accord.partners.services import partner_update, segment_save
from tests.factories import PartnerAdminFactory, TierFactory, VendorUserFactory
from tests.partners.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, vendor_admin):
    client.force_login(vendor_admin)
    return client


def test_the_360_shows_profile_people_segments_application_messages(signed_in, vendor_admin, partner_a):
    person = PartnerAdminFactory(partner=partner_a, email="jan@alpha.example", job_title="CTO")
    segment_save(actor=vendor_admin, name="Germany", rule={"field": "country", "op": "eq", "value": "DE"})
    ApplicationFactory(legal_name=partner_a.legal_name, partner=partner_a, status="approved", score=77)
    ManagerMessage.objects.create(partner=partner_a, sender=person, recipient=partner_a.channel_manager,
                                  subject="Need a quote", body="For 40 switches")

    page = signed_in.get(reverse("console:partner_detail", kwargs={"partner_id": partner_a.pk})).content.decode()

    for text in ("Alpha Systems GmbH", "jan@alpha.example", "CTO", "Partner admin", "Germany",
                 "qualification score 77", "Need a quote", "For 40 switches", "Katarzyna Nowak"):
        assert text in page


def test_unknown_partner_is_404(signed_in):
    assert signed_in.get(reverse("console:partner_detail", kwargs={"partner_id": 999999})).status_code == 404


def test_history_and_events_show_who_changed_what(signed_in, vendor_admin, partner_a):
    partner_update(actor=vendor_admin, partner=partner_a, data={"city": "Potsdam"})
    LogEntry.objects.filter(object_pk=str(partner_a.pk)).update(actor=vendor_admin)

    response = signed_in.get(reverse("console:partner_detail", kwargs={"partner_id": partner_a.pk}))

    page = response.content.decode()
    assert "Potsdam" in page
    assert str(vendor_admin) in page
    assert "Partner profile updated" in page
    assert response.context["events"][0].type == "partner.updated"


def test_vendor_changes_tier_status_and_cam(signed_in, vendor_admin, partner_a):
    gold = TierFactory(code="gold", name="Gold", rank=20)
    cam = VendorUserFactory()

    response = signed_in.post(reverse("console:partner_edit", kwargs={"partner_id": partner_a.pk}), {
        "section": "account", "tier": gold.pk, "status": "suspended", "channel_manager": cam.pk})

    assert response.status_code == 302
    partner = Partner.objects.get(pk=partner_a.pk)
    assert (partner.tier, partner.status, partner.channel_manager) == (gold, "suspended", cam)
    assert Event.objects.filter(type="partner.tier_changed", partner_id=partner.pk).exists()
    assert Event.objects.filter(type="partner.status_changed", partner_id=partner.pk).exists()
    entry = LogEntry.objects.get_for_object(partner).order_by("-timestamp").first()
    assert entry.actor == vendor_admin
    assert "status" in entry.changes_dict


def _profile(partner, **overrides):
    data = {"section": "profile", "legal_name": partner.legal_name, "kind": "reseller", "country": "DE",
            "city": "Berlin", "web_domain": "alpha.example.com", "tax_id": "", "size": "small",
            "language": "en", "time_zone": "Europe/Berlin", "currency": "EUR"}
    return {**data, **overrides}


def test_profile_edit_errors_name_the_field_and_change_nothing(signed_in, partner_a):
    response = signed_in.post(reverse("console:partner_edit", kwargs={"partner_id": partner_a.pk}),
                              _profile(partner_a, tax_id="DE000000000", city="Leipzig"))

    assert response.status_code == 200
    assert "is not a valid" in " ".join(response.context["profile_form"].errors["tax_id"])
    assert Partner.objects.get(pk=partner_a.pk).city == "Berlin"


def test_profile_edit_saves_normalised_values(signed_in, partner_a):
    response = signed_in.post(reverse("console:partner_edit", kwargs={"partner_id": partner_a.pk}),
                              _profile(partner_a, tax_id="DE 136 695 976", phone="030 901820",
                                       web_domain="https://www.alpha.de/about"))

    assert response.status_code == 302
    partner = Partner.objects.get(pk=partner_a.pk)
    assert (partner.tax_id, partner.phone, partner.web_domain) == ("136695976", "+4930901820", "alpha.de")


def test_edit_page_renders_current_values(signed_in, partner_a):
    response = signed_in.get(reverse("console:partner_edit", kwargs={"partner_id": partner_a.pk}))

    assert response.status_code == 200
    assert 'value="Alpha Systems GmbH"' in response.content.decode()


def test_the_360_query_count_does_not_grow_with_people_messages_and_history(
        signed_in, vendor_admin, partner_a, django_assert_max_num_queries):
    def add_some(n):
        for i in range(3):
            person = PartnerAdminFactory(partner=partner_a)
            ManagerMessage.objects.create(partner=partner_a, sender=person, recipient=partner_a.channel_manager,
                                          subject=f"Question {n}-{i}", body="…")
            partner_update(actor=vendor_admin, partner=partner_a, data={"city": f"City {n}-{i}"})

    url = reverse("console:partner_detail", kwargs={"partner_id": partner_a.pk})
    add_some(1)
    with django_assert_max_num_queries(80) as few:
        signed_in.get(url)
    add_some(2)
    add_some(3)

    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(url)


def test_a_channel_manager_invites_a_person_to_the_partner(signed_in, partner_a, django_capture_on_commit_callbacks):
    from django.core import mail

    from accord.partners.models import User

    url = reverse("console:partner_invite", kwargs={"partner_id": partner_a.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url, {"email": "Nina@Alpha.example", "first_name": "Nina", "last_name": "Roth",
                                        "role": "partner_admin", "language": "en", "job_title": "CFO"})

    assert response.status_code == 302
    nina = User.objects.get(email="nina@alpha.example")
    assert nina.partner == partner_a and nina.is_partner_admin and not nina.has_usable_password()
    assert mail.outbox[0].to == ["nina@alpha.example"]

    again = signed_in.post(url, {"email": "nina@alpha.example", "first_name": "Nina", "last_name": "Roth",
                                 "role": "partner_user", "language": "en"})
    assert again.status_code == 200
    assert "already has an account" in " ".join(again.context["invite_form"].errors["email"])
