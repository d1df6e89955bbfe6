import pytest
from django.apps import apps
from django.core.management import call_command

from accord.partners.demo import DEMO_PASSWORD, logins_text
from accord.partners.models import User


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label not in {"sessions", "admin", "auditlog", "django_tasks_db"}}


@pytest.mark.django_db
def test_demo_data_loads_and_a_second_run_duplicates_nothing():
    call_command("demo_data")
    first = _row_counts()

    call_command("demo_data")

    assert _row_counts() == first
    assert first["partners.Partner"] >= 5


@pytest.mark.django_db
def test_every_printed_demo_login_can_sign_in(client):
    call_command("demo_data")
    emails = [line.split()[-1] for line in logins_text().splitlines()[1:]]

    assert len(emails) == 5
    for email in emails:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
