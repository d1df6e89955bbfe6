import pytest
from django.core import mail

from accord.partners.models import Application, Partner, QualificationQuestion, User
from accord.partners.roles import Role
from tests.api.conftest import fields_of
from tests.factories import IndustryFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db

APPLICATION = {
    "legal_name": "Wisła Integracje Sp. z o.o.", "country": "PL", "city": "Kraków", "tax_id": "5260250274",
    "web_domain": "wisla-integracje.pl", "contact_first_name": "Piotr", "contact_last_name": "Kowalski",
    "contact_email": "piotr@wisla-integracje.pl", "contact_phone": "+48 22 555 12 34", "language": "pl",
    "industries": ["retail"],
}


@pytest.fixture
def question(db):
    IndustryFactory(code="retail")
    return QualificationQuestion.objects.create(
        text="How many engineers do you employ?", choices=[
            {"value": "few", "label": "1–5", "points": 1}, {"value": "many", "label": "6 or more", "points": 5}],
        translations={"pl": {"text": "Ilu inżynierów zatrudniacie?"}})


@pytest.fixture
def submitted(api_as, question, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as().post("/applications", {**APPLICATION, "answers": {str(question.pk): "many"}})
    assert response.status_code == 201, response.json()
    return Application.objects.get(pk=response.json()["id"])


def test_questions_are_public_and_translated(client, question):
    questions = client.get("/api/v1/qualification-questions", headers={"Accept-Language": "pl"}).json()

    assert questions[0]["text"] == "Ilu inżynierów zatrudniacie?"
    assert [c["value"] for c in questions[0]["choices"]] == ["few", "many"]


def test_anyone_may_apply_and_gets_a_receipt(submitted):
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.score > 0
    assert submitted.contact_phone == "+48225551234"
    assert mail.outbox[-1].to == ["piotr@wisla-integracje.pl"]


def test_application_errors_name_fields_and_answers(api_as, question):
    response = api_as().post("/applications", {**APPLICATION, "tax_id": "1234567890", "industries": ["mining"],
                                               "answers": {str(question.pk): "lots"}})

    assert response.status_code == 422
    assert set(fields_of(response)) == {"tax_id", "industries", f"answers.{question.pk}"}
    assert not Application.objects.exists()


def test_duplicate_application_is_refused(api_as, submitted, question):
    response = api_as().post("/applications", {**APPLICATION, "answers": {str(question.pk): "few"}})

    assert response.status_code == 422
    assert {"legal_name", "web_domain", "tax_id"} <= set(fields_of(response))


def test_public_submission_is_throttled(api_as, question):
    client = api_as()
    statuses = [client.post("/applications", {}).status_code for _ in range(21)]

    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429


def test_review_queue_is_for_vendor_staff(api_as, submitted, vendor_admin, partner_admin_a):
    page = api_as(vendor_admin).get("/applications").json()

    assert [a["legal_name"] for a in page["items"]] == [APPLICATION["legal_name"]]
    assert page["items"][0]["industries"] == ["retail"]
    assert api_as(partner_admin_a).get("/applications").status_code == 403
    assert api_as(partner_admin_a).get(f"/applications/{submitted.pk}").status_code == 404


def test_channel_manager_approves_creating_partner_and_admin(api_as, submitted, channel_manager):
    TierFactory(code="registered", name="Registered", rank=0)

    response = api_as(channel_manager).post(f"/applications/{submitted.pk}/approve",
                                            {"tier": "registered", "channel_manager_id": channel_manager.pk})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    partner = Partner.objects.get(pk=response.json()["partner_id"])
    assert (partner.tier.code, partner.channel_manager, partner.status) == ("registered", channel_manager,
                                                                            "onboarding")
    assert Role.PARTNER_ADMIN in User.objects.get(email="piotr@wisla-integracje.pl").roles


def test_approval_with_unknown_tier_names_it(api_as, submitted, channel_manager):
    response = api_as(channel_manager).post(f"/applications/{submitted.pk}/approve", {"tier": "diamond"})

    assert response.status_code == 422
    assert set(fields_of(response)) == {"tier"}
    assert Application.objects.get(pk=submitted.pk).status == "submitted"


def test_reject_needs_a_reason_and_mails_it(api_as, submitted, vendor_admin, django_capture_on_commit_callbacks):
    client = api_as(vendor_admin)

    assert set(fields_of(client.post(f"/applications/{submitted.pk}/reject", {"reason": " "}))) == {"reason"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/applications/{submitted.pk}/reject", {"reason": "Outside our territory."})

    assert response.json()["status"] == "rejected"
    assert "Outside our territory." in mail.outbox[-1].body


def test_deciding_twice_is_an_error(api_as, submitted, vendor_admin):
    client = api_as(vendor_admin)
    client.post(f"/applications/{submitted.pk}/reject", {"reason": "No."})

    response = client.post(f"/applications/{submitted.pk}/reject", {"reason": "No again."})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] is None


def test_finance_approver_cannot_decide(api_as, submitted):
    response = api_as(UserFactory(roles=[Role.FINANCE_APPROVER])).post(f"/applications/{submitted.pk}/reject",
                                                                       {"reason": "No."})

    assert response.status_code == 403
