import pytest
from django.db import connection

from accord.partners.models import Partner
from accord.settings import _database, _mailer
from tests.factories import PartnerFactory


def test_smtp_url_becomes_an_smtp_mailer_with_credentials_and_tls():
    mailer = _mailer("smtp://user%40corp:p%40ss@smtp.example.com:587?tls=1")

    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {"host": "smtp.example.com", "port": 587, "username": "user@corp",
                                 "password": "p@ss", "use_tls": True, "use_ssl": False, "timeout": 10}


def test_smtps_defaults_to_port_465_with_ssl():
    options = _mailer("smtps://mail.example.com")["OPTIONS"]

    assert (options["port"], options["use_ssl"]) == (465, True)


def test_without_email_url_mail_is_kept_in_files_under_the_data_directory(settings):
    mailer = _mailer("")

    assert mailer["BACKEND"].endswith("filebased.EmailBackend")
    assert mailer["OPTIONS"]["file_path"].startswith(str(settings.ACCORD_HOME))


def test_postgresql_prepares_repeated_statements_unless_told_not_to():
    url = "postgres://accord:secret@db.example.com:5432/accord"

    assert _database(url, prepared_statements=True)["OPTIONS"] == {"server_side_binding": True,
                                                                    "prepare_threshold": 5}
    assert "server_side_binding" not in _database(url, prepared_statements=False).get("OPTIONS", {})
    assert _database(url, prepared_statements=True)["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_statement_the_web_repeats_is_prepared_on_its_connection():
    PartnerFactory()
    for _attempt in range(6):
        assert Partner.objects.filter(country="DE").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any("partners_partner" in statement and "COUNT" in statement.upper() for statement in statements)
