"""Partners core objects a partner's people can see, for the isolation walker (tests/test_isolation.py)."""

from accord.partners.models import Application, ManagerMessage, Partner, Segment
from tests.factories import PartnerAdminFactory, PartnerUserFactory


def populate(partner: Partner) -> dict:
    """Create one of each partners-core object owned by `partner`; return URL parameter -> pk and markers."""
    tag = f"iso{partner.pk}q"
    domain = partner.web_domain or f"{tag}.example.com"
    admin = PartnerAdminFactory(partner=partner, email=f"admin.{tag}@{domain}", first_name="Ada",
                                last_name=f"Admin{tag}")
    colleague = PartnerUserFactory(partner=partner, email=f"colleague.{tag}@{domain}", first_name="Cole",
                                   last_name=f"Colleague{tag}")
    application = Application.objects.create(
        status=Application.Status.APPROVED, legal_name=partner.legal_name, country=partner.country,
        web_domain=domain, contact_first_name="Ann", contact_last_name=f"Applicant{tag}",
        contact_email=f"applicant.{tag}@{domain}", partner=partner, score=70)
    message = ManagerMessage.objects.create(partner=partner, sender=admin, recipient=partner.channel_manager,
                                            subject=f"Question {tag}", body=f"Body of message {tag}")
    segment = Segment.objects.create(name=f"Segment {tag}", rule={"field": "country", "op": "eq",
                                                                  "value": partner.country})
    return {
        "partner_id": partner.pk,
        # the people of a partner, under the names pages use for them
        "contact_id": colleague.pk, "user_id": colleague.pk, "colleague_id": colleague.pk,
        "member_id": colleague.pk,
        "application_id": application.pk,
        "message_id": message.pk, "manager_message_id": message.pk,
        "markers": [partner.legal_name, colleague.email, f"Colleague{tag}", admin.email, f"Admin{tag}",
                    f"Applicant{tag}", f"Question {tag}", f"Body of message {tag}"],
        # program-wide objects: visible to every partner by design, so only checked for leaking markers
        "shared": {"tier_id": partner.tier_id, "segment_id": segment.pk},
    }
