"""Signing in, the lock-out after repeated failures, passwords by email, and the language switch."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from accord.partners.models import User
from tests.factories import PASSWORD, PartnerUserFactory

RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def test_partner_people_sign_in_with_email_and_password(client, partner_user_a):
    response = client.post(reverse("login"), {"username": "USER@alpha.example", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(partner_user_a.pk)
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == reverse("portal:dashboard")


def test_a_wrong_password_says_so_and_signs_nobody_in(client, partner_user_a):
    response = client.post(reverse("login"), {"username": partner_user_a.email, "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct email and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_five_failures_pause_sign_in_for_fifteen_minutes(client, partner_user_a):
    for _attempt in range(5):
        response = client.post(reverse("login"), {"username": partner_user_a.email, "password": "wrong"})

    assert response.status_code == 429
    # even the right password is refused while the lock lasts
    response = client.post(reverse("login"), {"username": partner_user_a.email, "password": PASSWORD})
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed attempts" in text and "the limit is 5" in text
    assert "paused for 15 minutes" in text
    assert SESSION_KEY not in client.session


def test_the_lock_out_page_speaks_the_visitors_language(client, partner_user_a):
    client.cookies["accord_language"] = "pl"
    for _attempt in range(5):
        response = client.post(reverse("login"), {"username": partner_user_a.email, "password": "wrong"})

    assert response.status_code == 429
    assert "15 minut" in response.content.decode()


def test_sign_out_ends_the_session(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


def test_password_reset_mails_a_link_in_the_persons_language(client, partner_a):
    person = PartnerUserFactory(partner=partner_a, email="olga@alpha.example", first_name="Olga", language="ru")

    response = client.post(reverse("password_reset"), {"email": "Olga@Alpha.example"}, HTTP_HOST="portal.example")

    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["olga@alpha.example"]
    assert message.subject == "Выберите новый пароль для партнёрского портала"
    assert "Здравствуйте, Olga" in message.body
    assert "http://portal.example/accounts/password/reset/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert RESET_LINK.search(html).group(1) == RESET_LINK.search(message.body).group(1)
    # the link lets them choose a password and signs them in
    link = RESET_LINK.search(message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "olga@alpha.example" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "a much better secret 42",
                                                         "new_password2": "a much better secret 42"})
    assert done["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(person.pk)
    person.refresh_from_db()
    assert person.check_password("a much better secret 42")


def test_a_used_reset_link_is_refused_clearly(client, partner_user_a):
    client.post(reverse("password_reset"), {"email": partner_user_a.email})
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "a much better secret 42", "new_password2": "a much better secret 42"})
    client.logout()

    response = client.get(link, follow=True)

    assert "This link has already been used or has expired." in response.content.decode()


def test_password_reset_for_an_unknown_email_tells_nothing_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.example"})

    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_an_invited_person_who_lost_the_invitation_can_ask_for_a_new_link(client, partner_a):
    invited = User.objects.create_user("new@alpha.example", None, partner=partner_a)
    assert not invited.has_usable_password()

    client.post(reverse("password_reset"), {"email": "new@alpha.example"})

    assert len(mail.outbox) == 1


def test_a_deactivated_person_gets_no_reset_link(client, partner_a):
    PartnerUserFactory(partner=partner_a, email="gone@alpha.example", is_active=False)

    client.post(reverse("password_reset"), {"email": "gone@alpha.example"})

    assert mail.outbox == []


def test_password_change_keeps_the_portal_frame(client, partner_user_a):
    client.force_login(partner_user_a)

    page = client.get(reverse("password_change"))
    assert "Your channel manager" in page.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "another good secret 77", "new_password2": "another good secret 77"})

    assert response["Location"] == reverse("password_change_done")
    partner_user_a.refresh_from_db()
    assert partner_user_a.check_password("another good secret 77")


def test_password_change_with_a_wrong_old_password_names_the_field(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "another good secret 77", "new_password2": "another good secret 77"})

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    partner_user_a.refresh_from_db()
    assert partner_user_a.check_password(PASSWORD)


def test_switching_language_is_remembered_for_signed_in_people(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("set_language"), {"language": "pl", "next": reverse("portal:dashboard")})

    assert response["Location"] == reverse("portal:dashboard")
    partner_user_a.refresh_from_db()
    assert partner_user_a.language == "pl"
    assert "Twój opiekun handlowy" in client.get(reverse("portal:dashboard")).content.decode()


def test_an_unknown_language_changes_nothing(client, partner_user_a):
    client.force_login(partner_user_a)

    client.post(reverse("set_language"), {"language": "xx", "next": "/portal/"})

    partner_user_a.refresh_from_db()
    assert partner_user_a.language == "en"


def test_visitors_can_switch_the_sign_in_page_language(client, db):
    client.post(reverse("set_language"), {"language": "id", "next": reverse("login")})

    assert "Masuk" in client.get(reverse("login")).content.decode()


def test_the_sign_in_page_offers_password_reset_and_the_partner_application(client, db):
    text = client.get(reverse("login")).content.decode()

    assert reverse("password_reset") in text and reverse("portal:apply") in text
    assert client.get(reverse("portal:apply")).status_code == 200


def test_password_change_needs_a_sign_in_and_keeps_the_console_frame_for_staff(client, channel_manager):
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))

    client.force_login(channel_manager)
    page = client.get(reverse("password_change"))

    assert page.status_code == 200
    assert "console/base.html" in {template.name for template in page.templates}


@pytest.mark.parametrize(("language", "heading", "reset"), [
    ("en", "Sign in", "Forgot your password?"),
    ("ru", "Войти", "Забыли пароль?"),
    ("pl", "Zaloguj się", "Nie pamiętasz hasła?"),
    ("id", "Masuk", "Lupa kata sandi?"),
])
def test_the_sign_in_page_in_every_language(client, db, language, heading, reset):
    client.cookies["accord_language"] = language

    text = client.get(reverse("login")).content.decode()

    assert f"<h1>{heading}</h1>" in text and reset in text
    assert f'<html lang="{language}">' in text
