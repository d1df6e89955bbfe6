"""Portal pages for partners core: dashboard, company profile, team and the channel manager card."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.partners import services
from accord.partners.models import ManagerMessage, Partner, User
from accord.partners.roles import Role
from tests.factories import IndustryFactory, PartnerAdminFactory, PartnerUserFactory, SpecialisationFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def _profile(partner: Partner, **changes) -> dict:
    """The edit form as the browser would post it for `partner`, with `changes` applied."""
    data = {name: getattr(partner, name) or "" for name in (
        "legal_name", "trading_name", "kind", "size", "country", "region", "street", "postal_code", "city",
        "web_domain", "tax_id", "email", "phone", "competing_products", "language", "time_zone", "currency")}
    data.update(employees="", annual_revenue="", industries=[], specialisations=[])
    data.update(changes)
    return data


# --- dashboard -------------------------------------------------------------------------------------

def test_dashboard_summarises_the_company(client, partner_admin_a, partner_user_a, partner_admin_b):
    PartnerUserFactory(partner=partner_admin_a.partner, is_active=False)
    client.force_login(partner_user_a)

    response = client.get(reverse("portal:dashboard"))

    text = response.content.decode()
    assert "Alpha Systems GmbH" in text
    assert "Silver" in text and "Active" in text
    assert response.context["team_size"] == 2  # the deactivated colleague cannot sign in
    assert "Beta Networks" not in text


def test_dashboard_lists_what_the_profile_is_missing(client, partner_admin_a):
    client.force_login(partner_admin_a)

    response = client.get(reverse("portal:dashboard"))

    assert response.context["completeness"] < 100
    assert "tax ID" in response.context["missing"]
    assert "specialisations" in response.context["missing"]
    assert reverse("portal:profile_edit") in response.content.decode()


def test_dashboard_shows_every_domains_cards(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.get(reverse("portal:dashboard"))

    used = {template.name for template in response.templates}
    assert {"portal/dashboard/commerce.html", "portal/dashboard/sales.html",
            "portal/dashboard/automation.html", "portal/channel_manager_card.html"} <= used


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_team_or_the_messages(client, partner_user_a):
    client.force_login(partner_user_a)
    services.manager_message_send(sender=partner_user_a, subject="Hi", body="Hello")
    baseline = _queries(client, reverse("portal:dashboard"))

    for _n in range(5):
        PartnerUserFactory(partner=partner_user_a.partner)
        services.manager_message_send(sender=partner_user_a, subject="Hi", body="Hello")

    assert _queries(client, reverse("portal:dashboard")) == baseline


def test_dashboard_shows_the_newest_messages_of_the_company_only(client, partner_admin_a, partner_user_a,
                                                                 partner_admin_b):
    from accord.automation.models import Message

    for number in range(4):
        services.manager_message_send(sender=partner_user_a, subject=f"Question {number}", body="Hello")
    services.manager_message_send(sender=partner_admin_b, subject="Beta asks", body="Hello")

    def automated(person, subject):
        Message.objects.create(channel=Message.Channel.IN_APP, recipient=person, partner_id=person.partner_id,
                               subject=subject, body="…")

    automated(partner_admin_a, "Your invoice is due")
    automated(partner_user_a, "Colleague's reminder")
    automated(partner_admin_b, "Beta's reminder")
    client.force_login(partner_admin_a)

    page = client.get(reverse("portal:dashboard")).content.decode()

    assert "Question 3" in page and "Question 1" in page and "Question 0" not in page  # the newest three
    assert "Your invoice is due" in page and "Colleague&#x27;s reminder" in page  # admins see the company's
    assert "Beta" not in page
    client.force_login(partner_user_a)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Colleague&#x27;s reminder" in page and "Your invoice is due" not in page


def test_dashboard_query_budget(client, partner_admin_a, django_assert_max_num_queries):
    """Every partner opens the dashboard first: session, user with roles and channel manager, company, cards."""
    client.force_login(partner_admin_a)

    with django_assert_max_num_queries(15):
        assert client.get(reverse("portal:dashboard")).status_code == 200


def _nav(page: str) -> str:
    return re.search(r'<nav class="side".*?</nav>', page, re.S).group(0)


def test_the_navigation_follows_the_page_and_the_language(client, partner_admin_a):
    client.force_login(partner_admin_a)

    dashboard = _nav(client.get(reverse("portal:dashboard")).content.decode())
    team = _nav(client.get(reverse("portal:team")).content.decode())
    assert f'href="{reverse("portal:dashboard")}" class="active"' in dashboard
    assert f'href="{reverse("portal:team")}" class="active"' in team
    assert f'href="{reverse("portal:dashboard")}" class="active"' not in team

    partner_admin_a.language = "ru"
    partner_admin_a.save(update_fields=["language"])
    assert ">Обзор</a>" in _nav(client.get(reverse("portal:dashboard")).content.decode())


# --- company profile -------------------------------------------------------------------------------

def test_everyone_at_the_partner_sees_the_profile_only_admins_get_the_edit_button(client, partner_user_a,
                                                                                   partner_admin_a):
    client.force_login(partner_user_a)
    page = client.get(reverse("portal:profile")).content.decode()
    assert "Alpha Systems GmbH" in page and "Germany" in page
    assert reverse("portal:profile_edit") not in page

    client.force_login(partner_admin_a)
    assert reverse("portal:profile_edit") in client.get(reverse("portal:profile")).content.decode()


def test_an_admin_saves_the_profile_normalised(client, partner_admin_a):
    partner = partner_admin_a.partner
    industry, specialisation = IndustryFactory(name="Retail"), SpecialisationFactory(name="Security")
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:profile_edit"), _profile(
        partner, tax_id="DE 136 695 976", phone="040 1234567", web_domain="https://www.alpha-systems.de/kontakt",
        employees="42", competing_products="Cisco Meraki\n\n  Ubiquiti   UniFi \ncisco meraki",
        industries=[industry.pk], specialisations=[specialisation.pk], currency="CHF", time_zone="Europe/Zurich"))

    assert response["Location"] == reverse("portal:profile")
    partner.refresh_from_db()
    assert partner.tax_id == "136695976"  # the compact form python-stdnum validates
    assert partner.phone == "+49401234567"
    assert partner.web_domain == "alpha-systems.de"
    assert partner.employees == 42
    assert partner.competing_products == "Cisco Meraki\nUbiquiti UniFi"
    assert (partner.currency, partner.time_zone) == ("CHF", "Europe/Zurich")
    assert list(partner.industries.all()) == [industry]
    assert list(partner.specialisations.all()) == [specialisation]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("tax_id", "DE123", "is not a valid"),
    ("phone", "12", "is not a valid phone number"),
    ("web_domain", "not a domain", "is not a valid web domain"),
    ("country", "XX", "Select a valid choice"),
    ("time_zone", "Mars/Olympus", "Select a valid choice"),
    ("currency", "EURO", "Select a valid choice"),
    ("industries", ["999999"], "Select a valid choice"),
    ("competing_products", "Fine product\n" + "x" * 130, "Line 2 is longer than 120 characters"),
    ("email", "not-an-email", "Enter a valid email address"),
])
def test_bad_profile_input_names_the_field_and_saves_nothing(client, partner_admin_a, field, value, message):
    partner = partner_admin_a.partner
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:profile_edit"), _profile(partner, trading_name="Changed", **{field: value}))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Nothing was saved" in response.content.decode()
    partner.refresh_from_db()
    assert partner.trading_name == ""


def test_a_tax_id_that_does_not_fit_the_new_country_is_refused(client, partner_admin_a):
    partner = partner_admin_a.partner
    partner.tax_id = "DE136695976"
    partner.save()
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:profile_edit"), _profile(partner, country="PL"))

    assert "tax_id" in response.context["form"].errors
    partner.refresh_from_db()
    assert partner.country == "DE"


def test_validation_messages_follow_the_users_language(client, partner_admin_a):
    client.force_login(partner_admin_a)
    client.cookies["accord_language"] = "pl"

    response = client.post(reverse("portal:profile_edit"), _profile(partner_admin_a.partner, phone="12"))

    assert "nie jest prawidłowym numerem telefonu" in " ".join(response.context["form"].errors["phone"])
    assert "Nic nie zostało zapisane" in response.content.decode()


def test_partner_users_cannot_post_profile_changes(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:profile_edit"), _profile(partner_user_a.partner, trading_name="Hacked"))

    assert response.status_code == 404
    partner_user_a.partner.refresh_from_db()
    assert partner_user_a.partner.trading_name == ""


# --- team ------------------------------------------------------------------------------------------

def test_team_lists_colleagues_with_roles_and_status_never_other_partners(client, partner_admin_a, partner_user_a,
                                                                          partner_admin_b):
    User.objects.create_user("invited@alpha.example", None, partner=partner_admin_a.partner, first_name="Ivy")
    PartnerUserFactory(partner=partner_admin_a.partner, first_name="Gone", is_active=False)
    client.force_login(partner_user_a)

    text = client.get(reverse("portal:team")).content.decode()

    assert "admin@alpha.example" in text and "user@alpha.example" in text
    assert "Partner admin" in text and "Partner user" in text
    assert "Invited" in text and "Deactivated" in text
    assert "admin@beta.example" not in text
    assert "Invite a colleague" not in text  # partner users do not invite


def test_team_page_queries_do_not_grow_with_the_team(client, partner_admin_a, django_assert_num_queries):
    client.force_login(partner_admin_a)
    baseline = _queries(client, reverse("portal:team"))
    for _n in range(10):
        PartnerUserFactory(partner=partner_admin_a.partner)

    with django_assert_num_queries(baseline):
        response = client.get(reverse("portal:team"))
    assert len(response.context["members"]) == 11


def test_an_admin_invites_a_colleague_who_gets_a_link_in_their_language(client, partner_admin_a,
                                                                         django_capture_on_commit_callbacks):
    client.force_login(partner_admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:team_invite"), {
            "email": "Marta@Alpha.example", "first_name": "Marta", "last_name": "Wiśniewska",
            "role": Role.PARTNER_ADMIN.value, "language": "pl"})

    assert response["Location"] == reverse("portal:team")
    marta = User.objects.get(email="marta@alpha.example")
    assert marta.partner == partner_admin_a.partner and marta.is_partner_admin
    assert not marta.has_usable_password()
    assert marta.language == "pl"
    (message,) = mail.outbox
    assert message.to == ["marta@alpha.example"]
    assert "Marta" in message.body
    assert "Dzień dobry, Marta" in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/\S+/)", message.body).group(1)
    client.logout()
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "marta's good secret 9",
                                      "new_password2": "marta's good secret 9"})
    assert response["Location"] == reverse("home")
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_inviting_an_existing_email_is_a_clear_error(client, partner_admin_a, partner_admin_b):
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:team_invite"), {
        "email": "ADMIN@beta.example", "first_name": "X", "last_name": "Y", "role": Role.PARTNER_USER.value,
        "language": "en"})

    assert response.status_code == 200
    assert "already has an account" in " ".join(response.context["invite_form"].errors["email"])
    assert User.objects.filter(email__iexact="admin@beta.example").count() == 1
    assert mail.outbox == []


def test_an_invitation_needs_a_name_and_a_partner_role(client, partner_admin_a):
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:team_invite"), {
        "email": "new@alpha.example", "first_name": "", "last_name": "Y", "role": Role.VENDOR_ADMIN.value,
        "language": "en"})

    errors = response.context["invite_form"].errors
    assert set(errors) == {"first_name", "role"}
    assert not User.objects.filter(email="new@alpha.example").exists()


def test_partner_users_cannot_invite(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:team_invite"), {
        "email": "new@alpha.example", "first_name": "N", "last_name": "Y", "role": "partner_user", "language": "en"})

    assert response.status_code == 404
    assert not User.objects.filter(email="new@alpha.example").exists()


def test_an_admin_deactivates_and_reactivates_a_colleague(client, partner_admin_a, partner_user_a):
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:member_deactivate", kwargs={"user_id": partner_user_a.pk}))
    assert response["Location"] == reverse("portal:team")
    partner_user_a.refresh_from_db()
    assert not partner_user_a.is_active

    client.post(reverse("portal:member_reactivate", kwargs={"user_id": partner_user_a.pk}))
    partner_user_a.refresh_from_db()
    assert partner_user_a.is_active


def test_a_deactivated_colleague_is_signed_out_at_once(client, partner_admin_a, partner_user_a):
    colleague = client.__class__()
    colleague.force_login(partner_user_a)
    client.force_login(partner_admin_a)

    client.post(reverse("portal:member_deactivate", kwargs={"user_id": partner_user_a.pk}))

    assert colleague.get(reverse("portal:dashboard"))["Location"].startswith(reverse("login"))


def test_htmx_swaps_only_the_members_row(client, partner_admin_a, partner_user_a):
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:member_deactivate", kwargs={"user_id": partner_user_a.pk}), **HTMX)

    text = response.content.decode()
    assert text.strip().startswith(f'<tr id="member-{partner_user_a.pk}"')
    assert "Deactivated" in text and "Reactivate" in text
    assert "<html" not in text


def test_admins_cannot_deactivate_themselves(client, partner_admin_a):
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:member_deactivate", kwargs={"user_id": partner_admin_a.pk}), **HTMX)

    assert "You cannot deactivate yourself." in response.content.decode()
    partner_admin_a.refresh_from_db()
    assert partner_admin_a.is_active


def test_another_partners_people_are_404(client, partner_admin_a, partner_admin_b):
    client.force_login(partner_admin_a)

    for name in ("portal:member_deactivate", "portal:member_reactivate"):
        assert client.post(reverse(name, kwargs={"user_id": partner_admin_b.pk})).status_code == 404
        assert client.get(reverse(name, kwargs={"user_id": partner_admin_b.pk})).status_code == 404
    partner_admin_b.refresh_from_db()
    assert partner_admin_b.is_active


def test_partner_users_cannot_deactivate_colleagues(client, partner_admin_a, partner_user_a):
    client.force_login(partner_user_a)

    assert client.post(reverse("portal:member_deactivate", kwargs={"user_id": partner_admin_a.pk})).status_code == 404


# --- your channel manager --------------------------------------------------------------------------

def test_every_portal_page_shows_the_channel_manager(client, partner_user_a):
    client.force_login(partner_user_a)

    for name in ("portal:dashboard", "portal:profile", "portal:team"):
        text = client.get(reverse(name)).content.decode()
        assert "Katarzyna Nowak" in text and "cam@example.com" in text and "+48225551234" in text


def test_htmx_message_to_the_manager_is_stored_mailed_and_confirmed(client, partner_user_a, channel_manager,
                                                                    django_capture_on_commit_callbacks):
    channel_manager.language = "pl"
    channel_manager.save()
    client.force_login(partner_user_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:manager"), {"subject": "Stock for Q3", "body": "Can we talk?",
                                                           "next": "/portal/"}, **HTMX)

    text = response.content.decode()
    assert 'id="channel-manager-card"' in text and "<html" not in text
    assert "Your message is on its way to Katarzyna Nowak" in text
    stored = ManagerMessage.objects.get()
    assert (stored.partner, stored.sender, stored.recipient) == (partner_user_a.partner, partner_user_a,
                                                                 channel_manager)
    (message,) = mail.outbox
    assert message.to == ["cam@example.com"]
    assert message.reply_to == ["user@alpha.example"]
    assert "Stock for Q3" in message.subject and "Can we talk?" in message.body
    assert "napisał(a) do Ciebie" in message.body  # the manager reads it in their own language


def test_without_javascript_the_message_redirects_back_with_a_confirmation(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:manager"), {"subject": "Hi", "body": "Hello", "next": "/portal/team/"},
                           follow=True)

    assert response.redirect_chain[-1][0] == "/portal/team/"
    assert "Your message is on its way to Katarzyna Nowak." in response.content.decode()


def test_message_next_never_leaves_the_site(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:manager"), {"subject": "Hi", "body": "Hello",
                                                       "next": "https://evil.example/"})

    assert response["Location"] == reverse("portal:manager")


def test_an_empty_message_shows_errors_inline_and_sends_nothing(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:manager"), {"subject": " ", "body": ""}, **HTMX)

    text = response.content.decode()
    assert 'id="cam-subject-errors"' in text and 'id="cam-body-errors"' in text
    assert ManagerMessage.objects.count() == 0
    assert mail.outbox == []


def test_without_a_channel_manager_the_card_says_whom_to_write(client, partner_user_a, vendor_admin):
    Partner.objects.filter(pk=partner_user_a.partner_id).update(channel_manager=None)
    client.force_login(partner_user_a)

    text = client.get(reverse("portal:dashboard")).content.decode()
    assert "no channel manager assigned yet" in text
    assert vendor_admin.email in text

    response = client.post(reverse("portal:manager"), {"subject": "Hi", "body": "Hello"})
    assert "no channel manager assigned yet" in response.content.decode()
    assert ManagerMessage.objects.count() == 0


def test_the_card_speaks_polish(client, partner_user_a):
    client.force_login(partner_user_a)
    client.cookies["accord_language"] = "pl"

    text = client.get(reverse("portal:dashboard")).content.decode()

    assert "Twój opiekun handlowy" in text and "Wyślij wiadomość" in text


def test_partner_admins_of_other_partners_see_their_own_manager(client, partner_admin_b):
    other = PartnerAdminFactory(partner__channel_manager__first_name="Dmitry",
                                partner__channel_manager__email="dmitry@vendor.example")
    client.force_login(other)

    text = client.get(reverse("portal:dashboard")).content.decode()

    assert "dmitry@vendor.example" in text and "Katarzyna" not in text


def test_partners_see_what_their_company_wrote_and_whether_it_was_read(client, partner_user_a, partner_admin_a,
                                                                       partner_admin_b, channel_manager):
    read = services.manager_message_send(sender=partner_admin_a, subject="Price list 2027", body="Where is it?")
    services.manager_message_mark_read(actor=channel_manager, message=read)
    services.manager_message_send(sender=partner_user_a, subject="Training dates", body="When?")
    services.manager_message_send(sender=partner_admin_b, subject="Beta secret plans", body="Hidden")
    client.force_login(partner_user_a)

    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    history = client.get(reverse("portal:manager")).content.decode()

    for text in (dashboard, history):
        assert "Price list 2027" in text and "Training dates" in text
        assert "Read" in text and "Not read yet" in text
        assert "Beta secret plans" not in text
    assert "Where is it?" in history


def test_manager_page_queries_do_not_grow_with_the_history(client, partner_user_a, django_assert_num_queries):
    client.force_login(partner_user_a)
    services.manager_message_send(sender=partner_user_a, subject="Question", body="?")
    baseline = _queries(client, reverse("portal:manager"))
    for n in range(15):
        services.manager_message_send(sender=partner_user_a, subject=f"Question {n}", body="?")

    with django_assert_num_queries(baseline):
        response = client.get(reverse("portal:manager"))
    assert "Question 14" in response.content.decode()


# --- roles, invitations again, your details --------------------------------------------------------

def test_an_admin_promotes_and_demotes_a_colleague(client, partner_admin_a, partner_user_a):
    client.force_login(partner_admin_a)
    url = reverse("portal:member_role", kwargs={"user_id": partner_user_a.pk})

    response = client.post(url, {"role": "partner_admin"}, **HTMX)
    assert "Make partner user" in response.content.decode()
    assert User.objects.get(pk=partner_user_a.pk).is_partner_admin

    client.post(url, {"role": "partner_user"})
    assert not User.objects.get(pk=partner_user_a.pk).is_partner_admin


def test_roles_outside_the_partner_are_refused(client, partner_admin_a, partner_user_a):
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:member_role", kwargs={"user_id": partner_user_a.pk}),
                           {"role": "vendor_admin"}, follow=True)

    assert "Choose a partner role." in response.content.decode()
    assert User.objects.get(pk=partner_user_a.pk).roles == {Role.PARTNER_USER}


def test_admins_cannot_demote_themselves(client, partner_admin_a):
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:member_role", kwargs={"user_id": partner_admin_a.pk}),
                           {"role": "partner_user"}, **HTMX)

    assert "You cannot change your own role" in response.content.decode()
    assert User.objects.get(pk=partner_admin_a.pk).is_partner_admin


def test_an_invited_colleague_can_get_a_new_invitation(client, partner_admin_a, django_capture_on_commit_callbacks):
    invited = services.user_invite(actor=partner_admin_a, partner=partner_admin_a.partner, email="ivy@alpha.example",
                                   first_name="Ivy", last_name="Green", role=Role.PARTNER_USER, language="id")
    client.force_login(partner_admin_a)

    team = client.get(reverse("portal:team")).content.decode()
    assert "Resend invitation" in team
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:member_invitation", kwargs={"user_id": invited.pk}), **HTMX)

    assert "A new invitation is on its way to Ivy Green." in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["ivy@alpha.example"]
    assert "/accounts/password/reset/" in message.body


def test_people_with_a_password_get_no_invitation(client, partner_admin_a, partner_user_a):
    client.force_login(partner_admin_a)

    response = client.post(reverse("portal:member_invitation", kwargs={"user_id": partner_user_a.pk}), follow=True)

    assert "has already chosen a password" in response.content.decode()
    assert mail.outbox == []


def test_everyone_keeps_their_own_details(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:account"), {
        "first_name": "Sarah", "last_name": "Klein", "job_title": "Presales engineer", "phone": "030 1234567",
        "language": "pl", "time_zone": "Europe/Warsaw"})

    assert response["Location"] == reverse("portal:account")
    assert response.cookies["accord_language"].value == "pl"
    partner_user_a.refresh_from_db()
    assert (partner_user_a.last_name, partner_user_a.job_title, partner_user_a.phone, partner_user_a.language,
            partner_user_a.time_zone) == ("Klein", "Presales engineer", "+49301234567", "pl", "Europe/Warsaw")
    assert "Twoje dane" in client.get(reverse("portal:account")).content.decode()


def test_bad_personal_details_name_the_field_and_save_nothing(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:account"), {
        "first_name": "", "last_name": "Klein", "phone": "12", "language": "xx", "time_zone": "Europe/Warsaw"})

    assert set(response.context["form"].errors) == {"first_name", "language"}
    response = client.post(reverse("portal:account"), {
        "first_name": "Sarah", "last_name": "Klein", "phone": "12", "language": "en", "time_zone": "Europe/Warsaw"})
    assert "is not a valid phone number" in " ".join(response.context["form"].errors["phone"])
    partner_user_a.refresh_from_db()
    assert partner_user_a.last_name != "Klein"


def test_a_time_zone_outside_the_choices_must_be_chosen_not_replaced(client, partner_admin_a):
    Partner.objects.filter(pk=partner_admin_a.partner_id).update(time_zone="Mars/Olympus")  # e.g. an old import
    client.force_login(partner_admin_a)

    page = client.get(reverse("portal:profile_edit")).content.decode()
    response = client.post(reverse("portal:profile_edit"), _profile(partner_admin_a.partner, time_zone=""))

    assert re.search(r'<select name="time_zone"[^>]*>\s*<option value="">—</option>', page)  # shown first
    assert "time_zone" in response.context["form"].errors
