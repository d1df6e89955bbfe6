import pytest
from django.core import mail
from django.urls import reverse

from accord.partners.models import Application, Partner
from tests.factories import TierFactory
from tests.partners.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, channel_manager):
    client.force_login(channel_manager)
    return client


def test_queue_lists_open_applications_best_score_first(signed_in):
    ApplicationFactory(legal_name="Okay", score=50)
    ApplicationFactory(legal_name="Great", score=95)
    ApplicationFactory(legal_name="Gone", status="approved")

    response = signed_in.get(reverse("console:application_list"))

    assert [a.legal_name for a in response.context["page"].object_list] == ["Great", "Okay"]
    decided = signed_in.get(reverse("console:application_list"), {"status": "approved"})
    assert [a.legal_name for a in decided.context["page"].object_list] == ["Gone"]


def test_detail_shows_answers_and_score(signed_in):
    application = ApplicationFactory(score=64, answers={"1": {"question": "Engineers?", "value": "lots",
                                                              "label": "More than ten", "points": 10}})

    page = signed_in.get(reverse("console:application_detail", kwargs={"application_id": application.pk}))

    assert "Engineers?" in page.content.decode()
    assert "More than ten" in page.content.decode()
    assert page.context["application"].score == 64


def test_approve_from_the_console(signed_in, channel_manager, django_capture_on_commit_callbacks):
    gold = TierFactory(code="gold", name="Gold", rank=20)
    application = ApplicationFactory(legal_name="Bałtyk Systemy Sp. z o.o.")

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("console:application_detail", kwargs={"application_id": application.pk}),
                                  {"decision": "approve", "tier": gold.pk, "channel_manager": channel_manager.pk})

    partner = Partner.objects.get(legal_name="Bałtyk Systemy Sp. z o.o.")
    assert response.url == reverse("console:partner_detail", kwargs={"partner_id": partner.pk})
    assert (partner.status, partner.tier, partner.channel_manager) == ("onboarding", gold, channel_manager)
    assert partner.time_zone == "Europe/Warsaw" and partner.currency == "PLN"
    assert mail.outbox[0].to == [application.contact_email]


def test_reject_needs_a_reason(signed_in):
    application = ApplicationFactory()
    url = reverse("console:application_detail", kwargs={"application_id": application.pk})

    response = signed_in.post(url, {"decision": "reject", "reason": ""})

    assert response.status_code == 200
    assert "reason" in response.context["reject_form"].errors
    assert Application.objects.get().status == "submitted"

    response = signed_in.post(url, {"decision": "reject", "reason": "We already have three partners in Gdańsk."})
    assert response.status_code == 302
    assert Application.objects.get().decision_reason == "We already have three partners in Gdańsk."


def test_a_decided_application_shows_the_decision_not_the_buttons(signed_in, vendor_admin):
    application = ApplicationFactory(status="rejected", decided_by=vendor_admin, decision_reason="Too small.")

    page = signed_in.get(reverse("console:application_detail", kwargs={"application_id": application.pk}))

    assert "Too small." in page.content.decode()
    assert 'name="decision"' not in page.content.decode()


def test_approving_a_decided_application_explains_why_not(signed_in, vendor_admin):
    application = ApplicationFactory()
    Application.objects.filter(pk=application.pk).update(status="approved")

    response = signed_in.post(reverse("console:application_detail", kwargs={"application_id": application.pk}),
                              {"decision": "approve"})

    assert response.status_code == 200
    assert "already been decided" in response.content.decode()
    assert not Partner.objects.exists()


def test_queue_query_count_does_not_grow_with_rows(signed_in, django_assert_max_num_queries):
    ApplicationFactory.create_batch(2)
    with django_assert_max_num_queries(40) as few:
        signed_in.get(reverse("console:application_list"))
    ApplicationFactory.create_batch(20)

    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(reverse("console:application_list"))
