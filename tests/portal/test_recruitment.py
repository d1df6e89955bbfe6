"""The public partner application form at /portal/apply/."""

import pytest
from django.core import mail
from django.urls import reverse

from accord.partners.models import Application
from tests.factories import PartnerFactory
from tests.partners.factories import QualificationQuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    return QualificationQuestionFactory(
        text="How many engineers do you employ?",
        translations={"ru": {"text": "Сколько у вас инженеров?", "choices": {"lots": "Много"}}})


def _form(question, **overrides):
    data = {
        "legal_name": "Bałtyk Systemy Sp. z o.o.", "kind": "reseller", "size": "small", "country": "PL",
        "city": "Gdańsk", "web_domain": "baltyk-systemy.pl", "tax_id": "5260250274",
        "contact_first_name": "Ewa", "contact_last_name": "Zielińska", "contact_email": "ewa@baltyk-systemy.pl",
        "contact_phone": "+48585551234", "language": "pl", f"question_{question.pk}": "lots",
    }
    return {**data, **overrides}


def test_anonymous_visitors_see_the_form_with_the_questions(client, question):
    response = client.get(reverse("portal:apply"))

    assert response.status_code == 200
    assert "How many engineers do you employ?" in response.content.decode()


def test_questions_are_asked_in_the_visitors_language(client, question):
    client.cookies["accord_language"] = "ru"

    page = client.get(reverse("portal:apply")).content.decode()

    assert "Сколько у вас инженеров?" in page
    assert "Много" in page


def test_a_valid_application_is_saved_and_confirmed(client, question, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:apply"), _form(question))

    assert response.status_code == 302
    assert response.url == reverse("portal:apply_done")
    application = Application.objects.get()
    assert application.legal_name == "Bałtyk Systemy Sp. z o.o."
    assert application.answers[str(question.pk)]["value"] == "lots"
    assert mail.outbox[0].to == ["ewa@baltyk-systemy.pl"]
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"tax_id": "5260250275"}, "tax_id", "is not a valid"),
    ({"contact_email": "ewa@"}, "contact_email", "Enter a valid email address."),
    ({"contact_phone": "+48 12"}, "contact_phone", "is not a valid phone number"),
    ({"country": "ZZ"}, "country", "Select a valid choice."),
    ({"web_domain": "baltyk systemy"}, "web_domain", "is not a valid web domain"),
    ({"legal_name": "B" * 5000}, "legal_name", "at most 200 characters"),
    ({"message": "m" * 20000}, "message", "at most 2000 characters"),
    ({"size": "gigantic"}, "size", "Select a valid choice."),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(client, question, overrides, field, message):
    response = client.post(reverse("portal:apply"), _form(question, **overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split("“")[0] in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not Application.objects.exists()
    assert not mail.outbox


def test_a_duplicate_company_gets_a_clear_error(client, question):
    PartnerFactory(legal_name="Other", web_domain="baltyk-systemy.pl")

    response = client.post(reverse("portal:apply"), _form(question))

    assert "already a partner or has applied" in " ".join(response.context["form"].errors["web_domain"])
    assert not Application.objects.exists()


def test_an_unanswered_question_is_flagged(client, question):
    response = client.post(reverse("portal:apply"), _form(question, **{f"question_{question.pk}": ""}))

    assert f"question_{question.pk}" in response.context["form"].errors
    assert not Application.objects.exists()


def test_errors_are_in_the_visitors_language(client, question):
    client.cookies["accord_language"] = "pl"

    response = client.post(reverse("portal:apply"), _form(question, contact_email="zły"))

    assert "Wprowadź poprawny adres email." in " ".join(response.context["form"].errors["contact_email"])


def test_every_problem_shows_in_one_round(client, question):
    PartnerFactory(legal_name="Taken Sp. z o.o.")

    response = client.post(reverse("portal:apply"), _form(question, **{
        f"question_{question.pk}": "", "tax_id": "123", "legal_name": "Taken Sp. z o.o."}))

    errors = response.context["form"].errors
    assert {f"question_{question.pk}", "tax_id", "legal_name"} <= set(errors)
    assert not Application.objects.exists()


def test_a_flood_of_applications_from_one_address_is_stopped(client, question):
    for n in range(5):
        response = client.post(reverse("portal:apply"), _form(question, legal_name=f"Company {n}",
                                                              web_domain=f"company{n}.pl", tax_id=""))
        assert response.status_code == 302

    response = client.post(reverse("portal:apply"), _form(question, legal_name="Company 6", web_domain="c6.pl",
                                                          tax_id=""))

    assert response.status_code == 429
    assert "try again later" in response.content.decode()
    assert Application.objects.count() == 5


def test_reference_data_shipped_with_accord_reads_in_the_visitors_language(client, question):
    from tests.factories import IndustryFactory

    IndustryFactory(code="manufacturing", name="Manufacturing")
    IndustryFactory(code="widgets", name="Widget polishing")
    client.cookies["accord_language"] = "pl"

    page = client.get(reverse("portal:apply")).content.decode()

    assert "Produkcja" in page
    assert "Widget polishing" in page  # a vendor's own industry shows as typed
