"""Recruitment services: application, qualification score, approval with invitation, rejection."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accord.automation.models import Event
from accord.partners.models import Application, Partner, User
from accord.partners.roles import Role
from accord.partners.services import (
    application_approve,
    application_reject,
    application_score,
    application_submit,
)
from tests.factories import IndustryFactory, PartnerFactory, TierFactory, VendorUserFactory
from tests.partners.factories import ApplicationFactory, QualificationQuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    return [QualificationQuestionFactory(weight=3), QualificationQuestionFactory(weight=1)]


def _submission(questions, **overrides):
    data = {
        "legal_name": "Bałtyk Systemy Sp. z o.o.", "country": "PL", "city": "Gdańsk",
        "web_domain": "https://www.baltyk-systemy.pl/", "tax_id": "526-025-02-74",
        "contact_first_name": "Ewa", "contact_last_name": "Zielińska", "contact_email": "Ewa@Baltyk-Systemy.pl",
        "contact_phone": "+48 58 555 12 34", "language": "pl", "kind": "reseller", "size": "small",
        "answers": {str(q.pk): "lots" for q in questions},
    }
    return {**data, **overrides}


def test_score_is_weighted_answers_plus_completeness_bonus(questions):
    best = {str(q.pk): {"points": 10} for q in questions}
    worst = {str(q.pk): {"points": 0} for q in questions}
    heavy_best = {str(questions[0].pk): {"points": 10}, str(questions[1].pk): {"points": 0}}
    everything = {"region", "street", "city", "postal_code", "web_domain", "tax_id", "contact_phone", "message",
                  "industries", "specialisations"}

    assert application_score(answers=best, questions=questions, filled=everything) == 100
    assert application_score(answers=worst, questions=questions, filled=set()) == 0
    assert application_score(answers=best, questions=questions, filled=set()) == 90
    assert application_score(answers=worst, questions=questions, filled={"web_domain", "tax_id"}) == 2
    # weight 3 of 4 answered best: 90 * 3/4
    assert application_score(answers=heavy_best, questions=questions, filled=set()) == 68


def test_submit_normalises_scores_mails_the_applicant_in_their_language_and_emits(
        questions, django_capture_on_commit_callbacks):
    retail = IndustryFactory(code="retail")
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(**_submission(questions), industries=[retail])

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.web_domain == "baltyk-systemy.pl"
    assert application.tax_id == "5260250274"
    assert application.contact_email == "ewa@baltyk-systemy.pl"
    assert application.contact_phone == "+48585551234"
    # best answers (90) + city, web domain, tax ID, phone, industries = 5 of 10 optional details (5)
    assert application.score == 95
    assert application.answers[str(questions[0].pk)]["label"] == "Lots"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ewa@baltyk-systemy.pl"]
    assert mail.outbox[0].subject == "Otrzymaliśmy zgłoszenie partnerskie firmy Bałtyk Systemy Sp. z o.o."
    assert Event.objects.filter(type="application.submitted", subject_id=application.pk).count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"tax_id": "1234567890"}, "tax_id"),
    ({"country": "XX"}, "country"),
    ({"contact_email": "not-an-email"}, "contact_email"),
    ({"contact_phone": "12"}, "contact_phone"),
    ({"web_domain": "not a domain"}, "web_domain"),
    ({"legal_name": "x" * 201}, "legal_name"),
    ({"legal_name": ""}, "legal_name"),
])
def test_bad_input_names_the_field_and_saves_nothing(questions, overrides, field):
    with pytest.raises(ValidationError) as error:
        application_submit(**_submission(questions, **overrides))

    assert field in error.value.message_dict
    assert not Application.objects.exists()
    assert not mail.outbox


def test_every_active_question_needs_one_of_its_answers(questions):
    answers = {str(questions[0].pk): "plenty"}

    with pytest.raises(ValidationError) as error:
        application_submit(**_submission(questions, answers=answers))

    assert set(error.value.message_dict) == {f"question_{questions[0].pk}", f"question_{questions[1].pk}"}
    assert not Application.objects.exists()


def test_duplicates_of_partners_and_open_applications_are_refused(questions):
    PartnerFactory(legal_name="Bałtyk Systemy Sp. z o.o.", country="PL", web_domain="other.pl")
    ApplicationFactory(legal_name="Someone Else", web_domain="baltyk-systemy.pl")

    with pytest.raises(ValidationError) as error:
        application_submit(**_submission(questions, legal_name="  bałtyk  Systemy Sp. z o.o. "))

    assert "legal_name" in error.value.message_dict
    assert "web_domain" in error.value.message_dict


def test_a_rejected_application_does_not_block_applying_again(questions):
    ApplicationFactory(legal_name="Bałtyk Systemy Sp. z o.o.", web_domain="baltyk-systemy.pl",
                       status=Application.Status.REJECTED)

    assert application_submit(**_submission(questions)).pk


def test_unknown_fields_are_refused(questions):
    with pytest.raises(ValidationError) as error:
        application_submit(**_submission(questions, score=100))

    assert "score" in error.value.message_dict


def test_approval_creates_the_onboarding_partner_and_invites_its_first_admin(
        client, vendor_admin, django_capture_on_commit_callbacks):
    gold = TierFactory(code="gold", name="Gold", rank=20)
    cam = VendorUserFactory(email="kasia@vendor.example", first_name="Katarzyna", last_name="Nowak")
    retail = IndustryFactory(code="retail")
    application = ApplicationFactory(legal_name="Bałtyk Systemy Sp. z o.o.", tax_id="5260250274",
                                     contact_email="ewa@baltyk-systemy.pl", language="pl")
    application.industries.add(retail)

    with django_capture_on_commit_callbacks(execute=True):
        partner = application_approve(actor=vendor_admin, application=application, tier=gold, channel_manager=cam)

    partner.refresh_from_db()
    assert partner.status == Partner.Status.ONBOARDING
    assert (partner.tier, partner.channel_manager, partner.country) == (gold, cam, "PL")
    assert list(partner.industries.all()) == [retail]
    admin = User.objects.get(email="ewa@baltyk-systemy.pl")
    assert admin.partner == partner and admin.is_partner_admin and not admin.has_usable_password()
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert (application.partner, application.decided_by) == (partner, vendor_admin)
    assert Event.objects.filter(type="application.approved", subject_id=application.pk).exists()
    assert Event.objects.filter(type="partner.created", partner_id=partner.pk).exists()
    (invitation,) = mail.outbox
    assert invitation.to == ["ewa@baltyk-systemy.pl"]
    assert "Katarzyna Nowak" in invitation.body
    assert "Dobra wiadomość: Twoje zgłoszenie partnerskie zostało zatwierdzone." in invitation.body
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", invitation.body).group(0)
    path = "/" + link.split("/", 3)[3]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "new_password1" in response.content.decode()


def test_approval_is_all_or_nothing(vendor_admin):
    VendorUserFactory(email="taken@example.com")
    application = ApplicationFactory(contact_email="taken@example.com")

    with pytest.raises(ValidationError) as error:
        application_approve(actor=vendor_admin, application=application, tier=None, channel_manager=None)

    assert "contact_email" in error.value.message_dict
    assert not Partner.objects.filter(legal_name=application.legal_name).exists()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_a_decided_application_cannot_be_decided_again(vendor_admin):
    application = ApplicationFactory()
    application_reject(actor=vendor_admin, application=application, reason="Outside our territory.")

    with pytest.raises(ValidationError):
        application_approve(actor=vendor_admin, application=application, tier=None, channel_manager=None)
    assert not Partner.objects.exists()


def test_only_vendor_staff_decide(partner_admin_a):
    with pytest.raises(PermissionDenied):
        application_reject(actor=partner_admin_a, application=ApplicationFactory(), reason="No.")
    assert Application.objects.get().status == Application.Status.SUBMITTED


def test_rejection_needs_a_reason_and_mails_it_in_the_applicants_language(
        vendor_admin, django_capture_on_commit_callbacks):
    application = ApplicationFactory(language="ru", contact_email="ivan@example.ru")
    with pytest.raises(ValidationError) as error:
        application_reject(actor=vendor_admin, application=application, reason="   ")
    assert "reason" in error.value.message_dict

    with django_capture_on_commit_callbacks(execute=True):
        application_reject(actor=vendor_admin, application=application, reason="Нет покрытия в вашем регионе.")

    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.decided_by == vendor_admin
    (message,) = mail.outbox
    assert message.to == ["ivan@example.ru"]
    assert "Нет покрытия в вашем регионе." in message.body
    assert Event.objects.filter(type="application.rejected", subject_id=application.pk).exists()


def test_an_invited_person_cannot_sign_in_before_choosing_a_password(vendor_admin, client):
    application = ApplicationFactory(contact_email="new@applicant.example.pl")
    application_approve(actor=vendor_admin, application=application, tier=None, channel_manager=None)

    response = client.post("/accounts/login/", {"username": "new@applicant.example.pl", "password": ""})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert User.objects.get(email="new@applicant.example.pl").roles == frozenset({Role.PARTNER_ADMIN})


def test_only_the_partners_admins_and_channel_staff_may_invite(partner_admin_a, partner_b, partner_user_a):
    from accord.partners.services import user_invite

    with pytest.raises(PermissionDenied):
        user_invite(actor=partner_admin_a, partner=partner_b, email="mole@example.com")
    with pytest.raises(PermissionDenied):
        user_invite(actor=partner_user_a, partner=partner_user_a.partner, email="friend@example.com")
    assert not User.objects.filter(email__in=["mole@example.com", "friend@example.com"]).exists()

    assert user_invite(actor=partner_admin_a, partner=partner_admin_a.partner, email="colleague@example.com").pk
