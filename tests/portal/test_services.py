"""Partners services the portal relies on: team changes, remembered language and messages to the manager."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accord.partners import services
from accord.partners.models import ManagerMessage
from accord.partners.roles import Role
from tests.factories import PartnerAdminFactory, PartnerUserFactory


def test_vendor_staff_may_not_deactivate_the_last_active_partner_admin(partner_admin_a, vendor_admin):
    with pytest.raises(ValidationError, match="last active partner admin"):
        services.user_deactivate(actor=vendor_admin, user=partner_admin_a)

    partner_admin_a.refresh_from_db()
    assert partner_admin_a.is_active


def test_an_admin_may_deactivate_another_admin_while_one_stays(partner_admin_a):
    second = PartnerAdminFactory(partner=partner_admin_a.partner)

    services.user_deactivate(actor=partner_admin_a, user=second)

    second.refresh_from_db()
    assert not second.is_active


def test_deactivated_admins_do_not_count_as_the_remaining_admin(partner_admin_a, vendor_admin):
    PartnerAdminFactory(partner=partner_admin_a.partner, is_active=False)

    with pytest.raises(ValidationError):
        services.user_deactivate(actor=vendor_admin, user=partner_admin_a)


def test_partner_users_and_other_partners_admins_may_not_change_the_team(partner_user_a, partner_admin_a,
                                                                         partner_admin_b):
    for actor in (partner_user_a, partner_admin_b):
        with pytest.raises(PermissionDenied):
            services.user_deactivate(actor=actor, user=partner_admin_a)
        with pytest.raises(PermissionDenied):
            services.user_reactivate(actor=actor, user=partner_admin_a)


def test_vendor_staff_cannot_be_deactivated_through_team_services(partner_admin_a, channel_manager):
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=partner_admin_a, user=channel_manager)


def test_deactivating_twice_is_harmless(partner_admin_a, partner_user_a):
    services.user_deactivate(actor=partner_admin_a, user=partner_user_a)
    services.user_deactivate(actor=partner_admin_a, user=partner_user_a)

    partner_user_a.refresh_from_db()
    assert not partner_user_a.is_active


def test_user_set_language_keeps_only_offered_languages(partner_user_a):
    services.user_set_language(user=partner_user_a, language="id")
    with pytest.raises(ValidationError):
        services.user_set_language(user=partner_user_a, language="de")

    partner_user_a.refresh_from_db()
    assert partner_user_a.language == "id"


def test_manager_message_is_stored_and_mailed_after_commit(partner_user_a, channel_manager,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.manager_message_send(sender=partner_user_a, subject="  Demo   units ",
                                                body="\nTwo please.\n")
        assert mail.outbox == []  # nothing leaves before the transaction commits

    for callback in callbacks:
        callback()
    assert (message.subject, message.body, message.recipient) == ("Demo units", "Two please.", channel_manager)
    assert mail.outbox[0].to == [channel_manager.email]


@pytest.mark.parametrize(("subject", "body", "field"), [
    ("", "Hello", "subject"),
    ("x" * 201, "Hello", "subject"),
    ("Hi", "   ", "body"),
    ("Hi", "x" * 5001, "body"),
])
def test_manager_message_validation_names_the_field(partner_user_a, subject, body, field):
    with pytest.raises(ValidationError) as error:
        services.manager_message_send(sender=partner_user_a, subject=subject, body=body)

    assert field in error.value.message_dict
    assert ManagerMessage.objects.count() == 0


def test_an_inactive_manager_cannot_be_written_to(partner_user_a, channel_manager):
    channel_manager.is_active = False
    channel_manager.save()

    with pytest.raises(ValidationError, match="no channel manager"):
        services.manager_message_send(sender=partner_user_a, subject="Hi", body="Hello")


def test_only_partner_people_write_to_a_channel_manager(channel_manager, partner_a):
    with pytest.raises(PermissionDenied):
        services.manager_message_send(sender=channel_manager, subject="Hi", body="Hello")
    with pytest.raises(PermissionDenied):
        services.manager_message_send(sender=PartnerUserFactory(partner=partner_a, is_active=False),
                                      subject="Hi", body="Hello")


def test_invited_admins_count_as_admins(partner_admin_a):
    invited = services.user_invite(actor=partner_admin_a, partner=partner_admin_a.partner, email="x@alpha.example",
                                   first_name="X", last_name="Y", role=Role.PARTNER_ADMIN)

    assert invited.is_partner_admin and not invited.has_usable_password()


def test_the_last_active_admin_stays_an_admin(partner_admin_a, vendor_admin):
    with pytest.raises(ValidationError, match="must stay one"):
        services.user_change_role(actor=vendor_admin, user=partner_admin_a, role=Role.PARTNER_USER)

    assert partner_admin_a.__class__.objects.get(pk=partner_admin_a.pk).is_partner_admin


def test_other_partners_admins_cannot_change_roles_or_resend_invitations(partner_user_a, partner_admin_b):
    with pytest.raises(PermissionDenied):
        services.user_change_role(actor=partner_admin_b, user=partner_user_a, role=Role.PARTNER_ADMIN)
    with pytest.raises(PermissionDenied):
        services.user_invitation_resend(actor=partner_admin_b, user=partner_user_a)


def test_personal_details_cannot_touch_other_fields(partner_user_a):
    with pytest.raises(ValidationError) as error:
        services.user_update_details(user=partner_user_a, data={"email": "new@alpha.example", "is_staff": True})

    assert set(error.value.message_dict) == {"email", "is_staff"}
