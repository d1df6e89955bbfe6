"""Every write to partners core. Keyword-only, validated first, transactional, emitting events last."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accord.automation import api as automation
from accord.partners import validators
from accord.partners.geography import country_currency, country_time_zone
from accord.partners.mail import absolute_url, mail_after_commit
from accord.partners.models import (
    Application,
    ManagerMessage,
    Partner,
    QualificationQuestion,
    Segment,
    SegmentMembership,
    Tier,
    User,
)
from accord.partners.roles import PARTNER_ROLES, Role
from accord.partners.segments import compile_rule

PROFILE_FIELDS = (
    "legal_name", "trading_name", "kind", "country", "region", "street", "city", "postal_code", "web_domain",
    "tax_id", "email", "phone", "size", "employees", "annual_revenue", "competing_products", "language",
    "time_zone", "currency",
)
VENDOR_ONLY_FIELDS = ("status", "tier", "channel_manager", "joined_on", "latitude", "longitude")


def _normalize_identity(record: Partner | Application, *, phone_field: str) -> dict[str, list]:
    """Normalise country, web domain, tax ID (for the country) and phone (for the country) in place and
    return the errors by field: partners and applications accept exactly the same input."""
    errors: dict[str, list] = {}
    for field, normalize in (
        ("country", validators.country_code),
        ("web_domain", validators.normalize_domain),
    ):
        try:
            setattr(record, field, normalize(getattr(record, field)))
        except ValidationError as error:
            errors[field] = error.messages
    if "country" not in errors:
        try:
            record.tax_id = validators.normalize_tax_id(record.country, record.tax_id)
        except ValidationError as error:
            errors["tax_id"] = error.messages
        try:
            setattr(record, phone_field, validators.normalize_phone(getattr(record, phone_field), record.country))
        except ValidationError as error:
            errors[phone_field] = error.messages
    return errors


def partner_clean(partner: Partner) -> None:
    """Normalise and validate a partner's identity fields; errors are keyed by field name."""
    errors = _normalize_identity(partner, phone_field="phone")
    partner.currency = (partner.currency or "").upper()
    try:
        partner.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def partner_create(*, actor: User | None, industries=(), specialisations=(), **fields) -> Partner:
    partner = Partner(**fields)
    partner_clean(partner)
    partner.save()
    if industries:
        partner.industries.set(industries)
    if specialisations:
        partner.specialisations.set(specialisations)
    segments_refresh_for_partner(partner=partner)
    automation.emit("partner.created", partner, partner=partner, actor=actor)
    return partner


@transaction.atomic
def partner_update(*, actor: User, partner: Partner, data: dict, industries=None, specialisations=None) -> Partner:
    """Change a partner's profile. Partner admins may change the profile; vendor staff also tier/status/CAM."""
    allowed = PROFILE_FIELDS + (VENDOR_ONLY_FIELDS if actor.is_vendor else ())
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    before = {name: getattr(partner, name) for name in ("status", "tier_id")}
    for name, value in data.items():
        setattr(partner, name, value)
    partner_clean(partner)
    partner.save()
    if industries is not None:
        partner.industries.set(industries)
    if specialisations is not None:
        partner.specialisations.set(specialisations)
    segments_refresh_for_partner(partner=partner)
    changed = sorted(data)
    automation.emit("partner.updated", partner, partner=partner, actor=actor, fields=changed)
    if partner.status != before["status"]:
        automation.emit("partner.status_changed", partner, partner=partner, actor=actor,
                        old=before["status"], new=partner.status)
    if partner.tier_id != before["tier_id"]:
        automation.emit("partner.tier_changed", partner, partner=partner, actor=actor,
                        old=before["tier_id"], new=partner.tier_id)
    return partner


def segments_refresh_for_partner(*, partner: Partner) -> None:
    """Recompute one partner's memberships: one query per segment, all in SQL."""
    current = set(SegmentMembership.objects.filter(partner=partner).values_list("segment_id", flat=True))
    wanted = set()
    for segment in Segment.objects.all():
        try:
            if Partner.objects.filter(pk=partner.pk).filter(compile_rule(segment.rule)).exists():
                wanted.add(segment.pk)
        except ValidationError:
            continue
    SegmentMembership.objects.filter(partner=partner, segment_id__in=current - wanted).delete()
    SegmentMembership.objects.bulk_create(
        [SegmentMembership(segment_id=pk, partner=partner) for pk in wanted - current], ignore_conflicts=True)


def segment_refresh(*, segment: Segment) -> int:
    """Recompute a segment's members set-based; returns the member count."""
    matching = Partner.objects.filter(compile_rule(segment.rule)).values_list("pk", flat=True)
    SegmentMembership.objects.filter(segment=segment).exclude(partner_id__in=matching).delete()
    existing = SegmentMembership.objects.filter(segment=segment).values_list("partner_id", flat=True)
    new = Partner.objects.filter(compile_rule(segment.rule)).exclude(pk__in=existing).values_list("pk", flat=True)
    SegmentMembership.objects.bulk_create(
        [SegmentMembership(segment=segment, partner_id=pk) for pk in new.iterator()], batch_size=1000,
        ignore_conflicts=True)
    return SegmentMembership.objects.filter(segment=segment).count()


@transaction.atomic
def segment_save(*, actor: User, name: str, rule: dict, description: str = "",
                 segment: Segment | None = None) -> Segment:
    try:
        compile_rule(rule)
    except ValidationError as error:
        raise ValidationError({"rule": error.messages}) from None
    segment = segment or Segment()
    segment.name, segment.rule, segment.description = name, rule, description
    segment.full_clean()
    segment.save()
    segment_refresh(segment=segment)
    return segment


def user_set_roles(*, user: User, roles: list[Role]) -> None:
    groups = [Group.objects.get_or_create(name=role.value)[0] for role in roles]
    user.groups.set(groups)
    user.__dict__.pop("roles", None)


def manager_message_mark_read(*, actor: User, message: ManagerMessage) -> ManagerMessage:
    """The recipient (or a vendor admin) has read a partner's message; idempotent, keeps the first read time."""
    if message.recipient_id != actor.pk and not actor.has_role(Role.VENDOR_ADMIN):
        raise PermissionDenied
    if message.read_at is None:
        ManagerMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
        message.refresh_from_db(fields=["read_at"])
    return message


# --- people: invitations -------------------------------------------------------------------------

INVITATION_NOTE = _("You have been invited to your company's account in our partner portal.")


@transaction.atomic
def user_invite(*, actor: User | None, partner: Partner, email: str, first_name: str = "", last_name: str = "",
                role: Role = Role.PARTNER_USER, phone: str = "", job_title: str = "", language: str = "",
                note=INVITATION_NOTE) -> User:
    """Create a partner person without a usable password and email them a link to choose one.

    Partner admins invite to their own partner; vendor admins and channel managers to any.

    `note` (lazily translated text) opens the email, so approval can say why the invitee is welcome.
    """
    if actor is not None and not (
            (actor.is_partner_admin and actor.partner_id == partner.pk)
            or (actor.is_vendor and actor.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER))):
        raise PermissionDenied
    if role not in PARTNER_ROLES:
        raise ValidationError({"role": [_("Choose a partner role.")]})
    errors: dict[str, list] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = [_("A person with this email address already has an account.")]
    try:
        phone = validators.normalize_phone(phone, partner.country)
    except ValidationError as error:
        errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip(), partner=partner,
                phone=phone, job_title=job_title.strip(), language=language or partner.language,
                time_zone=partner.time_zone)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=[role])
    link = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    mail_after_commit(to=user.email, template="partners/email/invitation", language=user.language, context={
        "user": user, "partner": partner, "inviter": actor, "note": note, "set_password_url": absolute_url(link),
    })
    automation.emit("user.invited", user, partner=partner, actor=actor, role=role.value)
    return user


# --- recruitment: applications, qualification score, review ---------------------------------------

APPLICATION_FIELDS = (
    "legal_name", "country", "region", "street", "city", "postal_code", "web_domain", "tax_id", "kind", "size",
    "contact_first_name", "contact_last_name", "contact_email", "contact_phone", "language", "message",
)
# Share of the 0–100 score: answers to the qualification questions, and a bonus for a complete application.
QUESTIONS_SHARE = 90
COMPLETENESS_SHARE = 10
COMPLETENESS_FIELDS = ("region", "street", "city", "postal_code", "web_domain", "tax_id", "contact_phone",
                       "message", "industries", "specialisations")


def application_score(*, answers: dict, questions, filled: set[str]) -> int:
    """The qualification score, 0–100.

    Each question contributes its chosen option's points divided by the question's best points, weighted
    by the question's weight: together up to QUESTIONS_SHARE (90). Every optional detail the applicant
    gave (address parts, web domain, tax ID, phone, message, industries, specialisations) adds an equal
    part of COMPLETENESS_SHARE (10): a complete application is easier to qualify and to act on.
    """
    total_weight = sum(q.weight for q in questions)
    earned = 0.0
    for question in questions:
        best = max((int(c.get("points", 0)) for c in question.choices), default=0)
        answer = answers.get(str(question.pk))
        if not best or not answer or not total_weight:
            continue
        earned += question.weight * answer["points"] / best
    questions_part = QUESTIONS_SHARE * earned / total_weight if total_weight else 0
    completeness_part = COMPLETENESS_SHARE * len(filled & set(COMPLETENESS_FIELDS)) / len(COMPLETENESS_FIELDS)
    return max(0, min(100, round(questions_part + completeness_part)))


def _application_duplicates(application: Application) -> dict[str, list]:
    """Another partner or open application with the same legal name, web domain or tax ID."""
    errors: dict[str, list] = {}
    open_applications = Application.objects.filter(status=Application.Status.SUBMITTED).exclude(pk=application.pk)
    name = " ".join(application.legal_name.split())
    if (Partner.objects.filter(legal_name__iexact=name).exists()
            or open_applications.filter(legal_name__iexact=name).exists()):
        errors["legal_name"] = [_("A company with this legal name is already a partner or has applied.")]
    if application.web_domain and (
            Partner.objects.filter(web_domain__iexact=application.web_domain).exists()
            or open_applications.filter(web_domain__iexact=application.web_domain).exists()):
        errors["web_domain"] = [_("A company with this web domain is already a partner or has applied.")]
    if application.tax_id and (
            Partner.objects.filter(country=application.country, tax_id=application.tax_id).exists()
            or open_applications.filter(country=application.country, tax_id=application.tax_id).exists()):
        errors["tax_id"] = [_("A company with this tax ID is already a partner or has applied.")]
    return errors


def _application_answers(answers: dict, questions) -> tuple[dict, dict[str, list]]:
    """Check one answer per active question; keep a snapshot of question, label and points."""
    chosen, errors = {}, {}
    for question in questions:
        value = answers.get(str(question.pk), answers.get(question.pk))
        options = {str(c.get("value")): c for c in question.choices}
        if value in (None, ""):
            errors[f"question_{question.pk}"] = [_("Please answer this question.")]
        elif str(value) not in options:
            errors[f"question_{question.pk}"] = [_("Choose one of the offered answers.")]
        else:
            option = options[str(value)]
            chosen[str(question.pk)] = {"question": question.text, "value": str(value),
                                        "label": str(option.get("label", value)),
                                        "points": int(option.get("points", 0))}
    return chosen, errors


def _application_build(answers: dict, fields: dict) -> tuple[Application, dict, list, dict[str, list]]:
    """The unsaved application with normalised fields, the chosen answers, the questions, and all errors."""
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    application = Application(**{name: (value.strip() if isinstance(value, str) else value)
                                 for name, value in fields.items()})
    errors = _normalize_identity(application, phone_field="contact_phone")
    application.contact_email = (application.contact_email or "").lower()
    application.legal_name = " ".join((application.legal_name or "").split())
    try:
        application.full_clean(exclude=[*errors, "answers", "score"])
    except ValidationError as error:
        errors.update(error.message_dict)
    questions = list(QualificationQuestion.objects.filter(is_active=True))
    chosen, answer_errors = _application_answers(answers, questions)
    errors.update(answer_errors)
    for name, messages in _application_duplicates(application).items():
        errors.setdefault(name, messages)
    return application, chosen, questions, errors


def application_check(*, answers: dict, **fields) -> dict[str, list]:
    """Every problem `application_submit` would refuse, by field, without saving anything.

    The public form calls it even when some fields are already invalid, so the applicant sees a bad tax ID
    or a duplicate together with a missing answer, not one round at a time.
    """
    return _application_build(answers or {}, fields)[3]


@transaction.atomic
def application_submit(*, answers: dict, industries=(), specialisations=(), **fields) -> Application:
    """Record a company's application from the public form; mail the applicant a confirmation.

    Everything is validated before anything is saved: identity fields per country, duplicates against
    partners and open applications, and one valid answer per active qualification question.
    """
    application, chosen, questions, errors = _application_build(answers or {}, fields)
    if errors:
        raise ValidationError(errors)
    filled = {name for name in COMPLETENESS_FIELDS
              if name not in {"industries", "specialisations"} and getattr(application, name)}
    filled |= {name for name, values in (("industries", industries), ("specialisations", specialisations)) if values}
    application.answers = chosen
    application.score = application_score(answers=chosen, questions=questions, filled=filled)
    application.save()
    application.industries.set(industries)
    application.specialisations.set(specialisations)
    mail_after_commit(to=application.contact_email, template="partners/email/application_received",
                      language=application.language, context={"application": application})
    automation.emit("application.submitted", application, actor=None, score=application.score,
                    country=application.country)
    return application


def _application_lock_open(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.SUBMITTED:
        raise ValidationError(_("This application has already been decided."), code="decided")
    return locked


APPROVAL_NOTE = _("Good news: your partner application has been approved. You are the first administrator of "
                  "your company's account in our partner portal.")


@transaction.atomic
def application_approve(*, actor: User, application: Application, tier: Tier | None,
                        channel_manager: User | None) -> Partner:
    """Accept an applicant: create the partner (onboarding) and its first admin, who gets an invitation."""
    if not actor.is_vendor or not actor.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER):
        raise PermissionDenied
    application = _application_lock_open(application)
    if channel_manager is not None and not channel_manager.is_vendor:
        raise ValidationError({"channel_manager": [_("Choose a member of the vendor's staff.")]})
    duplicates = _application_duplicates(application)
    if duplicates:
        raise ValidationError(duplicates)
    if User.objects.filter(email__iexact=application.contact_email).exists():
        raise ValidationError({"contact_email": [
            _("%(email)s already has an account; correct the contact before approving.")
            % {"email": application.contact_email}]})
    partner = partner_create(
        actor=actor, legal_name=application.legal_name, country=application.country, region=application.region,
        street=application.street, city=application.city, postal_code=application.postal_code,
        web_domain=application.web_domain, tax_id=application.tax_id, kind=application.kind,
        size=application.size, email=application.contact_email, phone=application.contact_phone,
        language=application.language, time_zone=country_time_zone(application.country),
        currency=country_currency(application.country), status=Partner.Status.ONBOARDING, tier=tier,
        channel_manager=channel_manager, joined_on=timezone.localdate(),
        industries=list(application.industries.all()), specialisations=list(application.specialisations.all()))
    user_invite(actor=actor, partner=partner, email=application.contact_email,
                first_name=application.contact_first_name, last_name=application.contact_last_name,
                phone=application.contact_phone, role=Role.PARTNER_ADMIN, language=application.language,
                note=APPROVAL_NOTE)
    application.status = Application.Status.APPROVED
    application.partner = partner
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "partner", "decided_by", "decided_at"])
    automation.emit("application.approved", application, partner=partner, actor=actor,
                    tier=tier.code if tier else None)
    return partner



@transaction.atomic
def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    """Decline an applicant with a reason, which is mailed to them in their language."""
    if not actor.is_vendor or not actor.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Tell the applicant why: the reason is sent to them.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("Keep the reason under 2000 characters.")]})
    application = _application_lock_open(application)
    application.status = Application.Status.REJECTED
    application.decision_reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    mail_after_commit(to=application.contact_email, template="partners/email/application_rejected",
                      language=application.language, context={"application": application})
    automation.emit("application.rejected", application, actor=actor)
    return application


# --- portal: the partner's own team, language and channel manager ---------------------------------

def _check_team_manager(actor: User, person: User) -> None:
    """A partner admin manages their own colleagues; vendor admins and channel managers any partner's people."""
    if person.partner_id is None:
        raise PermissionDenied
    if actor.is_partner_admin and actor.partner_id == person.partner_id:
        return
    if actor.is_vendor and actor.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER):
        return
    raise PermissionDenied


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Stop a colleague from signing in (their sessions end too); never yourself, never the last admin."""
    _check_team_manager(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."), code="self")
    # Lock the partner's people in a fixed order so two admins deactivating each other cannot both win.
    people = list(User.objects.select_for_update().filter(partner_id=user.partner_id).order_by("pk")
                  .prefetch_related("groups"))
    user = next(person for person in people if person.pk == user.pk)
    if not user.is_active:
        return user
    if Role.PARTNER_ADMIN in user.roles:
        other_admins = [p for p in people if p.pk != user.pk and p.is_active and p.is_partner_admin]
        if not other_admins:
            raise ValidationError(_("%(name)s is the last active partner admin and cannot be deactivated.")
                                  % {"name": user}, code="last_admin")
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated colleague sign in again with their old password."""
    _check_team_manager(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Remember the language a person chose, so emails to them are written in it too."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [_("Choose one of the offered languages.")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


MANAGER_MESSAGE_MAX_LENGTH = 5000


@transaction.atomic
def manager_message_send(*, sender: User, subject: str, body: str) -> ManagerMessage:
    """Store a partner person's message to their channel manager and email it, replying to the sender."""
    if not sender.is_partner_user or not sender.is_active:
        raise PermissionDenied
    subject, body = " ".join((subject or "").split()), (body or "").strip()
    errors: dict[str, list] = {}
    if not subject:
        errors["subject"] = [_("Write a subject.")]
    elif len(subject) > ManagerMessage._meta.get_field("subject").max_length:
        errors["subject"] = [_("Keep the subject under %(limit)s characters.")
                             % {"limit": ManagerMessage._meta.get_field("subject").max_length}]
    if not body:
        errors["body"] = [_("Write your message.")]
    elif len(body) > MANAGER_MESSAGE_MAX_LENGTH:
        errors["body"] = [_("Keep the message under %(limit)s characters.") % {"limit": MANAGER_MESSAGE_MAX_LENGTH}]
    partner = Partner.objects.select_related("channel_manager").get(pk=sender.partner_id)
    manager = partner.channel_manager
    if manager is None or not manager.is_active:
        errors["__all__"] = [_("Your company has no channel manager assigned yet.")]
    if errors:
        raise ValidationError(errors)
    message = ManagerMessage.objects.create(partner=partner, sender=sender, recipient=manager, subject=subject,
                                            body=body)
    mail_after_commit(to=manager.email, template="portal/email/manager_message", language=manager.language,
                      reply_to=sender.email, context={"message": message, "partner": partner, "sender": sender,
                                                      "inbox_url": absolute_url(reverse("console:dashboard"))})
    return message


def _other_active_admins(people: list[User], person: User) -> list[User]:
    return [p for p in people if p.pk != person.pk and p.is_active and p.is_partner_admin]


@transaction.atomic
def user_change_role(*, actor: User, user: User, role: Role) -> User:
    """Make a colleague a partner admin or a partner user; a partner always keeps one active admin."""
    _check_team_manager(actor, user)
    if role not in PARTNER_ROLES:
        raise ValidationError({"role": [_("Choose a partner role.")]})
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot change your own role; ask another partner admin."), code="self")
    people = list(User.objects.select_for_update().filter(partner_id=user.partner_id).order_by("pk")
                  .prefetch_related("groups"))
    user = next(person for person in people if person.pk == user.pk)
    if (role != Role.PARTNER_ADMIN and user.is_active and user.is_partner_admin
            and not _other_active_admins(people, user)):
        raise ValidationError(_("%(name)s is the last active partner admin and must stay one.") % {"name": user},
                              code="last_admin")
    user_set_roles(user=user, roles=[role])
    return user


@transaction.atomic
def user_invitation_resend(*, actor: User, user: User) -> User:
    """Mail a fresh set-password link to a colleague who has not chosen a password yet."""
    _check_team_manager(actor, user)
    if not user.is_active or user.has_usable_password():
        raise ValidationError(_("%(name)s has already chosen a password.") % {"name": user}, code="not_invited")
    link = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    partner = Partner.objects.select_related("channel_manager").get(pk=user.partner_id)
    mail_after_commit(to=user.email, template="partners/email/invitation", language=user.language, context={
        "user": user, "partner": partner, "inviter": actor, "note": INVITATION_NOTE,
        "set_password_url": absolute_url(link)})
    return user


PERSONAL_FIELDS = ("first_name", "last_name", "phone", "job_title", "language", "time_zone")


@transaction.atomic
def user_update_details(*, user: User, data: dict) -> User:
    """A person keeps their own name, phone, job title, language and time zone up to date."""
    unknown = set(data) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    user = User.objects.select_for_update().get(pk=user.pk)
    for name, value in data.items():
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list] = {}
    country = user.partner.country if user.partner_id else ""
    try:
        user.phone = validators.normalize_phone(user.phone, country)
    except ValidationError as error:
        errors["phone"] = error.messages
    if user.language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the offered languages.")]
    try:
        user.full_clean(exclude=["password", *errors])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    user.save(update_fields=list(data))
    return user


@transaction.atomic
def segment_delete(*, actor: User, segment: Segment) -> None:
    """Remove a segment and its memberships; refused while anything else (a rule, a gate) still uses it."""
    if not actor.is_vendor or not actor.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER):
        raise PermissionDenied
    try:
        with transaction.atomic():
            segment.delete()
    except ProtectedError as error:
        used_by = sorted({str(obj._meta.verbose_name) for obj in error.protected_objects})
        raise ValidationError(_("“%(segment)s” is still used by: %(users)s.")
                              % {"segment": segment.name, "users": ", ".join(used_by)}, code="protected") from None
