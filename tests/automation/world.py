"""Automation objects a partner's people can reach, for the isolation walker (tests/test_isolation.py)."""

from django.contrib.contenttypes.models import ContentType

from accord.automation import services
from accord.automation.models import Firing, Message, Task
from accord.partners.models import Partner
from tests.factories import PartnerAdminFactory


def populate(partner: Partner) -> dict:
    """A rule (program-wide), and for `partner`: a firing, the message it sent, and a task about it."""
    tag = f"auto{partner.pk}z"
    person = PartnerAdminFactory(partner=partner, email=f"reader.{tag}@{partner.web_domain or 'example.com'}")
    rule = services.rule_create(
        actor=None, code=f"world-{tag}", name=f"Rule {tag}", trigger={"type": "event", "event": "partner.updated"},
        actions=[{"type": "notify", "params": {"to": ["partner_admins"], "template": "generic"}}])
    content_type = ContentType.objects.get_for_model(Partner)
    firing = Firing.objects.create(key=f"{rule.pk}|{content_type.pk}:{partner.pk}|{tag}", rule=rule,
                                   rule_version=rule.current_version, subject_type=content_type,
                                   subject_id=partner.pk, partner_id=partner.pk, occurrence=tag)
    message = Message.objects.create(firing=firing, channel=Message.Channel.IN_APP, recipient=person,
                                     partner_id=partner.pk, subject=f"Automated notice {tag}",
                                     body=f"Body of automated notice {tag}", why=f"Because {tag}")
    task = Task.objects.create(title=f"Call {tag}", partner_id=partner.pk, subject_type=content_type,
                               subject_id=partner.pk, subject_label=partner.legal_name, source_firing=firing,
                               source_rule=rule, assignee=partner.channel_manager)
    return {
        "firing_id": firing.pk, "automated_message_id": message.pk, "task_id": task.pk,
        "markers": [f"Automated notice {tag}", f"Body of automated notice {tag}", f"Because {tag}", f"Call {tag}"],
        "shared": {"rule_id": rule.pk},
    }
