from accord.settings import _mailer


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
