import pytest
from django.urls import reverse

from accord.partners.models import ManagerMessage
from tests.factories import PartnerFactory, TierFactory, VendorUserFactory
from tests.partners.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, channel_manager):
    client.force_login(channel_manager)
    return client


def test_counts_by_status_and_tier(signed_in):
    gold = TierFactory(code="gold", name="Gold", rank=20)
    PartnerFactory.create_batch(2, tier=gold)
    PartnerFactory(status="suspended")

    response = signed_in.get(reverse("console:dashboard"))

    by_status = {value: count for value, _label, count in response.context["by_status"]}
    assert by_status == {"applicant": 0, "onboarding": 0, "active": 2, "suspended": 1, "churned": 0}
    by_tier = {tier.code if tier else None: count for tier, count in response.context["by_tier"]}
    assert by_tier["gold"] == 2
    assert by_tier["silver"] == 1


def test_my_partners_are_only_my_book(signed_in, channel_manager):
    PartnerFactory(legal_name="Mine", channel_manager=channel_manager)
    PartnerFactory(legal_name="Someone else's", channel_manager=VendorUserFactory())

    response = signed_in.get(reverse("console:dashboard"))

    assert [p.legal_name for p in response.context["book"]] == ["Mine"]
    assert response.context["book_count"] == 1


def test_pending_applications_best_score_first(signed_in):
    ApplicationFactory(legal_name="Low", score=20)
    ApplicationFactory(legal_name="High", score=90)
    ApplicationFactory(legal_name="Decided", score=99, status="rejected")

    response = signed_in.get(reverse("console:dashboard"))

    assert [a.legal_name for a in response.context["queue"]] == ["High", "Low"]
    assert response.context["queue_count"] == 2


@pytest.fixture
def message(partner_a, partner_admin_a, channel_manager):
    return ManagerMessage.objects.create(partner=partner_a, sender=partner_admin_a, recipient=channel_manager,
                                         subject="Stock for the Lodz tender?", body="We need 40 units by May.")


def test_messages_addressed_to_me_and_marking_them_read(signed_in, message, partner_b):
    ManagerMessage.objects.create(partner=partner_b, recipient=VendorUserFactory(), subject="Not for you",
                                  body="…")
    page = signed_in.get(reverse("console:dashboard")).content.decode()
    assert "Stock for the Lodz tender?" in page
    assert "Not for you" not in page
    assert "1 unread" in page

    response = signed_in.post(reverse("console:message_read", kwargs={"message_id": message.pk}),
                              headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert 'id="message-' in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert "unread" not in signed_in.get(reverse("console:dashboard")).content.decode()


def test_marking_someone_elses_message_is_404(client, message):
    client.force_login(VendorUserFactory())

    response = client.post(reverse("console:message_read", kwargs={"message_id": message.pk}))

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_read_without_htmx_returns_to_the_dashboard(signed_in, message):
    response = signed_in.post(reverse("console:message_read", kwargs={"message_id": message.pk}),
                              {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.url == reverse("console:dashboard")


def test_dashboard_query_count_does_not_grow_with_data(signed_in, channel_manager, partner_admin_a,
                                                       django_assert_max_num_queries):
    def add_some():
        PartnerFactory.create_batch(3, channel_manager=channel_manager)
        for n in range(3):
            ApplicationFactory(score=n)
            ManagerMessage.objects.create(partner=partner_admin_a.partner, sender=partner_admin_a,
                                          recipient=channel_manager, subject=f"Question {n}", body="…")

    add_some()
    with django_assert_max_num_queries(60) as few:
        signed_in.get(reverse("console:dashboard"))
    add_some()
    add_some()

    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(reverse("console:dashboard"))


def test_mark_read_from_the_partner_360_returns_there(signed_in, message):
    detail = reverse("console:partner_detail", kwargs={"partner_id": message.partner_id})
    assert "Mark as read" in signed_in.get(detail).content.decode()

    response = signed_in.post(reverse("console:message_read", kwargs={"message_id": message.pk}), {"next": detail})

    assert response.url == detail
    message.refresh_from_db()
    assert message.read_at is not None
