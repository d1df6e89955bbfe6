"""Events become firings: conditions, throttles, refused repeats, fan-out, experiments and outcomes."""

import pytest
from django.core import mail
from django.utils import timezone

from accord.automation import engine
from accord.automation.api import emit
from accord.automation.models import Event, Firing, FiringAction, Message
from accord.partners.services import partner_update
from tests.automation.factories import make_rule
from tests.factories import PartnerAdminFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def content_type(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)

NOTIFY = {"type": "notify", "params": {"to": ["partner_admins"], "template": "generic"}}


def test_a_matching_event_fires_and_a_non_matching_one_is_recorded_as_condition_false(
        partner_a, partner_b, partner_admin_a, partner_admin_b, vendor_admin):
    make_rule(trigger={"type": "event", "event": "partner.status_changed"}, actions=[NOTIFY],
              condition={"all": [{"field": "partner.status", "op": "changed_to", "value": "suspended"},
                                 {"field": "partner.country", "op": "eq", "value": "de"}]})

    partner_update(actor=vendor_admin, partner=partner_a, data={"status": "suspended"})
    partner_update(actor=vendor_admin, partner=partner_b, data={"status": "suspended"})
    engine.drain()

    fired = Firing.objects.get(partner_id=partner_a.pk)
    skipped = Firing.objects.get(partner_id=partner_b.pk)
    assert (fired.status, fired.condition_result) == ("fired", True)
    assert (skipped.status, skipped.reason) == ("skipped", "condition_false")
    assert skipped.inputs == {"partner.status": "suspended", "partner.country": "PL"}
    assert list(Message.objects.values_list("recipient__email", flat=True)) == ["admin@alpha.example"]


def test_throttle_sends_at_most_once_per_subject_per_period(partner_a, partner_admin_a):
    make_rule(trigger={"type": "event", "event": "partner.logged_in"}, actions=[NOTIFY], throttle_days=7,
              category="nudge")
    for _ in range(3):  # three separate transactions (a test runs in one, where emits would collapse)
        Event.objects.create(type="partner.logged_in", subject_type=content_type(partner_a),
                             subject_id=partner_a.pk, partner_id=partner_a.pk)
    engine.drain(now=timezone.now().replace(hour=12))

    assert list(Firing.objects.order_by("id").values_list("status", "reason")) == [
        ("fired", ""), ("skipped", "throttled"), ("skipped", "throttled")]
    assert Message.objects.count() == 1


def test_an_event_processed_again_is_refused_by_the_ledger_key(partner_a, partner_admin_a):
    make_rule(trigger={"type": "event", "event": "partner.updated"}, actions=[NOTIFY])
    emit("partner.updated", partner_a, partner=partner_a)
    engine.drain()

    Event.objects.update(processed_at=None)  # as if the worker died after acting but before marking
    engine.drain()

    firing = Firing.objects.get()
    assert firing.repeats == 1
    assert Message.objects.count() == 1


def test_running_the_same_action_twice_acts_once(partner_a, partner_admin_a):
    make_rule(trigger={"type": "event", "event": "partner.updated"},
              actions=[NOTIFY, {"type": "email", "params": {"to": ["partner_admins"], "template": "generic"}}])
    emit("partner.updated", partner_a, partner=partner_a)
    engine.process_outbox()
    from accord.automation.execution import action_run

    results = [action_run(action_id=a.pk) for a in FiringAction.objects.all() for _ in range(3)]

    assert results.count("done") == 2 and results.count("not-claimed") == 4
    assert Message.objects.count() == 2 and len(mail.outbox) == 1


def test_fan_out_fires_once_per_related_record_and_its_partner(partner_a, partner_b, partner_admin_a,
                                                                partner_admin_b):
    make_rule(trigger={"type": "event", "event": "partner.tier_changed",
                       "fan_out": {"model": "partners.User", "via": "partner"}},
              actions=[NOTIFY])
    emit("partner.tier_changed", partner_a, partner=partner_a)
    engine.drain()

    assert Firing.objects.filter(status="fired").count() == partner_a.users.count() == 1
    assert Firing.objects.get().partner_id == partner_a.pk


def test_variants_are_stable_per_partner_and_outcomes_are_counted(partner_a, partner_admin_a):
    partners = [partner_a, *PartnerFactory.create_batch(15)]  # both variants occur (all in one: 2 ** -15)
    for partner in partners[1:]:
        PartnerAdminFactory(partner=partner)
    rule = make_rule(
        trigger={"type": "event", "event": "partner.updated"}, actions=[NOTIFY], outcome_event="partner.logged_in",
        variants=[{"name": "short", "params": {"subject": "Hi", "body": "Short"}},
                  {"name": "long", "params": {"subject": "Hello there", "body": "Long"}}])
    for partner in partners:
        emit("partner.updated", partner, partner=partner)
    engine.drain()
    first = dict(Firing.objects.values_list("partner_id", "variant"))
    last_id = Firing.objects.order_by("-id").values_list("id", flat=True).first()
    for partner in partners:
        emit("partner.updated", partner, partner=partner)
    emit("partner.logged_in", partner_a, partner=partner_a)
    engine.drain()

    second = dict(Firing.objects.filter(id__gt=last_id).order_by("id")
                  .values_list("partner_id", "variant"))
    assert second == first and set(first.values()) == {"short", "long"}
    subjects = {m.subject for m in Message.objects.filter(recipient__partner=partner_a)}
    assert subjects == {"Hi" if first[partner_a.pk] == "short" else "Hello there"}
    converted = Firing.objects.filter(rule=rule, outcome_at__isnull=False)
    assert set(converted.values_list("partner_id", flat=True)) == {partner_a.pk}


def _everyone_in_poland(subject_ids):
    """A test-only audience: the event concerns every Polish partner."""
    from accord.partners.models import Partner

    polish = list(Partner.objects.filter(country="PL").values_list("pk", flat=True))
    return dict.fromkeys(subject_ids, polish)


def test_a_registered_audience_fans_out_to_the_partners_it_names(partner_a, partner_b, partner_admin_a,
                                                                  partner_admin_b):
    from accord.automation.registry import register_audience

    register_audience("test.polish_partners", label="Polish partners", model="partners.Partner",
                      resolver=_everyone_in_poland)
    make_rule(trigger={"type": "event", "event": "partner.tier_changed", "audience": "test.polish_partners"},
              actions=[NOTIFY])
    emit("partner.tier_changed", partner_a, partner=partner_a)
    engine.drain()

    assert list(Firing.objects.values_list("partner_id", flat=True)) == [partner_b.pk]
    assert list(Message.objects.values_list("recipient__email", flat=True)) == ["admin@beta.example"]
