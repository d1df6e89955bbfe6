"""The engine's loops: the outbox (events → firings), the time-trigger pass (dates and schedules → firings)
and the sweeper (lost wake-ups, expired leases, overdue tasks).

Everything here works on sets: a batch of events is claimed with one `SELECT … FOR UPDATE SKIP LOCKED`,
matched in memory against the enabled rules, and written back with a handful of bulk statements; the time
pass turns "who is due today, in their own time zone" into `INSERT … SELECT` statements, so a million
open invoices never travel to Python.
"""

from __future__ import annotations

import datetime
import logging
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat, JSONObject, Mod
from django.utils import timezone

from accord.automation import conditions, definitions
from accord.automation.models import Event, Firing, FiringAction, Rule, RuleVersion, Task, TriggerCursor
from accord.automation.queue import enqueue_actions
from accord.automation.registry import audiences, date_anchors, housekeeping
from accord.partners.models import Partner, SegmentMembership, active_partner_q

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_CATCH_UP = datetime.timedelta(days=30)
FIRST_PASS_LOOKBACK = datetime.timedelta(hours=24)
REQUEUE_AFTER = datetime.timedelta(minutes=10)


@dataclass
class ActiveRule:
    rule: Rule
    version: RuleVersion
    trigger: definitions.Trigger
    fields: list[str]
    segments: bool
    check: object = None  # conditions.compile_python(...), built once per batch

    def matches(self, facts: conditions.Facts) -> bool:
        if self.check is None:
            self.check = conditions.compile_python(self.version.condition, self.trigger.scope())
        return self.check(facts)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


@lru_cache(maxsize=256)
def _parsed(version_id: int, trigger_json: str) -> definitions.Trigger:
    import json

    return definitions.parse_trigger(json.loads(trigger_json))


def active_rules(kind: str) -> list[ActiveRule]:
    """Enabled rules whose current version has a trigger of `kind` (invalid ones are logged and left out)."""
    import json

    found = []
    for rule in Rule.objects.filter(enabled=True, current_version__isnull=False).select_related("current_version"):
        version = rule.current_version
        if version.trigger.get("type") != kind and not (kind == "timed" and version.trigger.get("type") in
                                                           {"date", "schedule"}):
            continue
        try:
            trigger = _parsed(version.pk, json.dumps(version.trigger, sort_keys=True))
            scope = trigger.scope()
            found.append(ActiveRule(rule, version, trigger, conditions.referenced_fields(version.condition, scope),
                                    conditions.uses_segments(version.condition, scope)))
        except Exception:  # a rule that no longer validates (e.g. a removed field) fails closed
            logger.exception("rule %s v%s cannot run", rule.code, version.number)
    return found


# -- the outbox -------------------------------------------------------------------------------------------------

class OutboxEvent:
    """A claimed event as plain values (model instances cost more than the whole batch's SQL)."""

    __slots__ = ("partner_id", "payload", "pk", "subject_id", "subject_type_id", "type")

    def __init__(self, pk, type, subject_type_id, subject_id, partner_id, payload) -> None:
        self.pk, self.type, self.subject_type_id = pk, type, subject_type_id
        self.subject_id, self.partner_id, self.payload = subject_id, partner_id, payload


def process_outbox(*, batch_size: int = BATCH_SIZE, now: datetime.datetime | None = None) -> int:
    """Claim up to `batch_size` unprocessed events, record their firings and enqueue the actions.

    Everything happens in one transaction: if the process dies midway nothing is half-done, the events stay
    unprocessed and another worker (or this one, restarted) takes them. Returns the number of events claimed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        events = [OutboxEvent(*row) for row in Event.objects.filter(processed_at__isnull=True).order_by("id")
                  .select_for_update(skip_locked=True)
                  .values_list("id", "type", "subject_type_id", "subject_id", "partner_id", "payload")[:batch_size]]
        if not events:
            return 0
        rules = active_rules("event")
        by_type: dict[str, list[ActiveRule]] = defaultdict(list)
        for active in rules:
            by_type[active.trigger.event].append(active)
        _record_event_firings(events, by_type, now)
        _record_outcomes(events, now)
        _mark_processed([e.pk for e in events], now)
    return len(events)


def _mark_processed(ids: list[int], now: datetime.datetime) -> None:
    from accord.automation import bulk

    if bulk.fast():  # one array parameter instead of a thousand placeholders
        with connection.cursor() as cursor:
            cursor.execute("UPDATE automation_event SET processed_at = %s WHERE id = ANY(%s)", [now, ids])
        return
    Event.objects.filter(pk__in=ids).update(processed_at=now)


def _existing_keys(keys: list[str]) -> set[str]:
    from accord.automation import bulk

    if bulk.fast():
        with connection.cursor() as cursor:
            cursor.execute("SELECT key FROM automation_firing WHERE key = ANY(%s)", [keys])
            return {row[0] for row in cursor.fetchall()}
    return set(Firing.objects.filter(key__in=keys).values_list("key", flat=True))


def _fan_out(active: ActiveRule, events: list) -> dict[int, list[tuple[int, int | None]]]:
    """Event subject id -> [(fanned subject id, partner id)] for a rule that fans out."""
    trigger = active.trigger
    ids = list({e.subject_id for e in events})
    result: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    if trigger.audience:
        for subject_id, partner_ids in audiences()[trigger.audience].resolver(ids).items():
            result[subject_id] += [(subject_id, pid) for pid in partner_ids]
        return result
    model = apps.get_model(trigger.model)
    partner = _partner_ref(trigger)
    columns = ["pk", trigger.fan_via] + ([partner] if partner else [])
    for row in model._default_manager.filter(**{f"{trigger.fan_via}__in": ids}).order_by("pk").values_list(*columns):
        result[row[1]].append((row[0], row[2] if partner else None))
    return result


def _partner_ref(trigger: definitions.Trigger) -> str:
    if trigger.partner_path == "pk":
        return "pk"
    return f"{trigger.partner_path}_id" if trigger.partner_path else ""


def _record_event_firings(events: list[OutboxEvent], by_type: dict[str, list[ActiveRule]],
                          now: datetime.datetime) -> None:
    candidates = []  # (active, event, subject_type_id, subject_id, partner_id)
    for active in {id(a): a for group in by_type.values() for a in group}.values():
        matching = [e for e in events if e.type == active.trigger.event]
        if not matching:
            continue
        if active.trigger.fan_via or active.trigger.audience:
            fanned = _fan_out(active, matching)
            content_type = ContentType.objects.get_for_model(apps.get_model(active.trigger.model)).pk
            for event in matching:
                for subject_id, partner_id in fanned.get(event.subject_id, []):
                    candidates.append((active, event, content_type, subject_id, partner_id or event.partner_id))
        else:
            candidates += [(active, e, e.subject_type_id, e.subject_id, e.partner_id) for e in matching]
    if not candidates:
        return
    candidates.sort(key=lambda c: (c[1].pk, c[0].rule.pk))
    facts = _load_facts(candidates)
    throttled = _recent_firings(candidates, now)
    rows: list[dict] = []
    for active, event, type_id, subject_id, partner_id in candidates:
        rule, version = active.rule, active.version
        values, segments = facts(active, type_id, subject_id, partner_id)
        fact = conditions.Facts(values=values, payload=event.payload or {}, segments=segments)
        result = active.matches(fact)
        status, reason = Firing.Status.FIRED, ""
        if not result:
            status, reason = Firing.Status.SKIPPED, Firing.Reason.CONDITION_FALSE
        elif version.throttle_days and (rule.pk, type_id, subject_id) in throttled:
            last = throttled[(rule.pk, type_id, subject_id)]
            if last >= now - datetime.timedelta(days=version.throttle_days):
                status, reason = Firing.Status.SKIPPED, Firing.Reason.THROTTLED
        if status == Firing.Status.FIRED and version.throttle_days:
            throttled[(rule.pk, type_id, subject_id)] = now
        variant = definitions.variant_for(version.variants, rule.pk, partner_id)
        rows.append({
            "key": f"{rule.pk}|{type_id}:{subject_id}|e{event.pk}", "rule_id": rule.pk,
            "rule_version_id": version.pk, "subject_type_id": type_id, "subject_id": subject_id,
            "partner_id": partner_id, "occurrence": f"event:{event.pk}",
            "trigger": {"type": "event", "event": event.type, "event_id": event.pk}, "event_id": event.pk,
            "inputs": {name: values.get(name) for name in active.fields}, "condition_result": result,
            "status": status, "reason": reason, "variant": variant["name"] if variant else "", "batch": "",
            "repeats": 0, "due_at": now, "created_at": now, "_active": active, "_variant": variant})
    _insert_firings(rows, now=now)


def _load_facts(candidates):
    """Load, once per batch, every field value and segment membership the matched rules read."""
    from accord.automation.registry import condition_fields

    registered = condition_fields()
    subject_paths: dict[str, set[str]] = defaultdict(set)  # model label -> field names
    subject_ids: dict[str, set[int]] = defaultdict(set)
    partner_names: set[str] = set()
    partner_ids: set[int] = set()
    want_segments = False
    for active, _event, _type_id, subject_id, partner_id in candidates:
        model = active.trigger.model
        for name in active.fields:
            if registered[name].model == model:
                subject_paths[model].add(name)
                subject_ids[model].add(subject_id)
            else:
                partner_names.add(name)
        if partner_id:
            partner_ids.add(partner_id)
        want_segments = want_segments or active.segments
    subject_values: dict[tuple[str, int], dict] = {}
    for model_label, names in subject_paths.items():
        model = apps.get_model(model_label)
        paths = {registered[n].path: n for n in names}
        for row in model._default_manager.filter(pk__in=subject_ids[model_label]).values("pk", *paths):
            subject_values[(model_label, row["pk"])] = {paths[p]: row[p] for p in paths}
    partner_values: dict[int, dict] = {}
    if partner_names and partner_ids:
        paths = {registered[n].path: n for n in partner_names}
        for row in Partner.objects.filter(pk__in=partner_ids).values("pk", *paths):
            partner_values[row["pk"]] = {paths[p]: row[p] for p in paths}
    memberships: dict[int, set[int]] = defaultdict(set)
    if want_segments and partner_ids:
        for partner_id, segment_id in SegmentMembership.objects.filter(partner_id__in=partner_ids).values_list(
                "partner_id", "segment_id"):
            memberships[partner_id].add(segment_id)

    def facts(active, _type_id, subject_id, partner_id):
        values = {**partner_values.get(partner_id, {}), **subject_values.get((active.trigger.model, subject_id), {})}
        return values, memberships.get(partner_id, set())

    return facts


def _recent_firings(candidates, now: datetime.datetime) -> dict[tuple[int, int, int], datetime.datetime]:
    throttled = [(a, t, s) for a, _e, t, s, _p in candidates if a.version.throttle_days]
    if not throttled:
        return {}
    longest = max(a.version.throttle_days for a, _t, _s in throttled)
    rows = Firing.objects.filter(
        rule_id__in={a.rule.pk for a, _t, _s in throttled}, subject_id__in={s for _a, _t, s in throttled},
        status__in=[Firing.Status.FIRED, Firing.Status.DEFERRED],
        created_at__gte=now - datetime.timedelta(days=longest),
    ).values_list("rule_id", "subject_type_id", "subject_id", "created_at")
    latest: dict[tuple[int, int, int], datetime.datetime] = {}
    for rule_id, type_id, subject_id, created in rows:
        key = (rule_id, type_id, subject_id)
        latest[key] = max(latest.get(key, created), created)
    return latest


FIRING_FIELDS = ("id", "key", "rule_id", "rule_version_id", "subject_type_id", "subject_id", "partner_id",
                 "occurrence", "trigger", "event_id", "inputs", "condition_result", "status", "reason", "variant",
                 "batch", "repeats", "due_at", "created_at")
ACTION_FIELDS = ("id", "firing_id", "position", "kind", "params", "status", "attempts", "next_attempt_at",
                 "enqueued_at", "claim_token", "outcome", "error")


def _insert_firings(rows: list[dict], *, now: datetime.datetime) -> None:
    """Write ledger rows and their actions; keys already present are not written again (counted instead)."""
    keys = [r["key"] for r in rows]
    existing = _existing_keys(keys)
    if existing:
        Firing.objects.filter(key__in=existing).update(repeats=F("repeats") + 1)
    fresh = [r for r in rows if r["key"] not in existing]
    _write(Firing, FIRING_FIELDS, fresh)
    actions = []
    for row in fresh:
        if row["status"] != Firing.Status.FIRED:
            continue
        version = row["_active"].version
        for position, action in enumerate(version.actions):
            actions.append({"firing_id": row["id"], "position": position, "kind": action["type"],
                            "params": definitions.apply_variant(action.get("params", {}), action["type"],
                                                                row["_variant"]),
                            "status": FiringAction.Status.PENDING, "attempts": 0, "next_attempt_at": now,
                            "enqueued_at": now, "claim_token": "", "outcome": {}, "error": ""})
    _write(FiringAction, ACTION_FIELDS, actions)
    enqueue_actions([a["id"] for a in actions])


def _write(model: type[models.Model], fields: tuple[str, ...], rows: list[dict]) -> None:
    """Insert rows (dicts keyed by attname) and set each one's "id": COPY on PostgreSQL, bulk_create elsewhere."""
    from accord.automation import bulk

    if not rows:
        return
    if bulk.fast():
        for row, pk in zip(rows, bulk.allocate_ids(model, len(rows)), strict=True):
            row["id"] = pk
        bulk.copy_rows(model, list(fields), [tuple(row[f] for f in fields) for row in rows])
        return
    created = model.objects.bulk_create([model(**{f: row[f] for f in fields if f != "id"}) for row in rows],
                                        batch_size=1000)
    for row, instance in zip(rows, created, strict=True):
        row["id"] = instance.pk


def _record_outcomes(events: list[OutboxEvent], now: datetime.datetime) -> None:
    """An experiment's outcome: the first outcome event after a firing, on its subject or its partner."""
    types = {e.type for e in events}
    versions = list(RuleVersion.objects.filter(outcome_event__in=types, rule__enabled=True)
                    .values_list("pk", "outcome_event", "outcome_days"))
    for version_id, outcome_type, days in versions:
        for event in (e for e in events if e.type == outcome_type):
            match = Q(subject_type_id=event.subject_type_id, subject_id=event.subject_id)
            if event.partner_id:
                match |= Q(partner_id=event.partner_id)
            Firing.objects.filter(match, rule_version_id=version_id, status=Firing.Status.FIRED,
                                  outcome_at__isnull=True,
                                  created_at__gte=now - datetime.timedelta(days=days)).update(
                outcome_event_id=event.pk, outcome_at=now)


# -- the time-trigger pass ----------------------------------------------------------------------------------------

def fire_dates(trigger: definitions.Trigger, zone: str, start: datetime.datetime,
               end: datetime.datetime) -> list[datetime.date]:
    """Local dates whose fire moment (date at `trigger.at` in `zone`) lies in (start, end]."""
    tz = zoneinfo.ZoneInfo(zone or "UTC")
    day = start.astimezone(tz).date() - datetime.timedelta(days=1)
    last = end.astimezone(tz).date()
    found = []
    while day <= last:
        moment = datetime.datetime.combine(day, trigger.at, tzinfo=tz)
        if start < moment <= end and _schedule_day(trigger, day):
            found.append(day)
        day += datetime.timedelta(days=1)
    return found


def _schedule_day(trigger: definitions.Trigger, day: datetime.date) -> bool:
    if trigger.type != "schedule" or trigger.every == "day":
        return True
    if trigger.every == "week":
        return day.isoweekday() == trigger.day
    return day.day == trigger.day


def _period(trigger: definitions.Trigger, day: datetime.date) -> str:
    if trigger.every == "week":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if trigger.every == "month":
        return f"{day:%Y-%m}"
    return day.isoformat()


def _zones(trigger: definitions.Trigger) -> list[str]:
    if trigger.type == "date" and not trigger.partner_path:
        return ["UTC"]
    return sorted(set(Partner.objects.order_by().values_list("time_zone", flat=True).distinct()) or {"UTC"})


def time_pass(*, now: datetime.datetime | None = None, rule_ids: list[int] | None = None) -> dict:
    """Fire every date and schedule rule for what became due since its last pass; returns counts per rule."""
    now = now or timezone.now()
    stats = {}
    for active in active_rules("timed"):
        if rule_ids is not None and active.rule.pk not in rule_ids:
            continue
        try:
            stats[active.rule.code] = _sweep_rule(active, now)
        except Exception:  # the cursor did not move: the next pass covers this window again
            logger.exception("time pass failed for rule %s", active.rule.code)
            stats[active.rule.code] = {"error": True}
    return stats


def _sweep_rule(active: ActiveRule, now: datetime.datetime) -> dict:
    with transaction.atomic():
        cursor, _created = TriggerCursor.objects.get_or_create(
            rule=active.rule, defaults={"swept_until": now - FIRST_PASS_LOOKBACK})
        cursor = TriggerCursor.objects.select_for_update(skip_locked=True).filter(pk=cursor.pk).first()
        if cursor is None or cursor.swept_until >= now:
            return {"fired": 0, "skipped": 0}
        start = max(cursor.swept_until, now - MAX_CATCH_UP)
        groups: dict[tuple[tuple[datetime.date, ...], datetime.date], list[str]] = defaultdict(list)
        for zone in _zones(active.trigger):
            dates = tuple(fire_dates(active.trigger, zone, start, now))
            if dates:
                groups[(dates, now.astimezone(zoneinfo.ZoneInfo(zone)).date())].append(zone)
        batch = uuid.uuid4().hex
        counts = {"fired": 0, "skipped": 0}
        fired: list[int] = []
        for (dates, local_today), zones in groups.items():
            for statement in _statements(active, dates, zones, now, batch, local_today):
                for pk, status in _insert_select(statement):
                    counts["fired" if status == Firing.Status.FIRED else "skipped"] += 1
                    if status == Firing.Status.FIRED:
                        fired.append(pk)
        if fired:
            _add_actions(active, batch, sorted(fired), now)
        cursor.swept_until = now
        cursor.save(update_fields=["swept_until"])
    return counts


def _statements(active: ActiveRule, dates: tuple[datetime.date, ...], zones: list[str],
                now: datetime.datetime, batch: str, local_today: datetime.date):
    """One queryset per fire date (or one for all, for a single-day step), each shaped like a ledger row.

    With catch_up "latest", a missed day of a daily window is recorded as superseded: only today's
    reminder goes out (the partner gets one message saying where things stand now, not three).
    """
    trigger = active.trigger
    if trigger.type == "schedule":
        days = dates[-1:] if trigger.catch_up == "latest" else dates
        for day in days:
            base = Partner.objects.filter(active_partner_q(), time_zone__in=zones)
            yield _shape(active, base, Value(_period(trigger, day)), now, batch, superseded=None,
                         fired_on=day)
        return
    anchor = date_anchors()[trigger.anchor]
    model = apps.get_model(anchor.model)
    field = model._meta.get_field(trigger.anchor_field.split("__")[0])
    anchor_path = trigger.anchor_field + ("__date" if isinstance(field, models.DateTimeField) else "")
    base = model._default_manager.all()
    if anchor.open_filter is not None:
        base = base.filter(anchor.open_filter())
    if trigger.partner_path:
        base = base.filter(**{f"{_tz_path(trigger)}__in": zones})
    offsets = range(trigger.first_day, trigger.last_day + 1)
    if not trigger.is_window:
        anchors = [day - datetime.timedelta(days=trigger.first_day) for day in dates]
        yield _shape(active, base.filter(**{f"{anchor_path}__in": anchors}), Cast(F(anchor_path), CharField()),
                     now, batch, superseded=None, fired_on=dates[-1])
        return
    for day in dates:
        anchors = [day - datetime.timedelta(days=k) for k in offsets]
        # Only the most recent fire moment counts; days before it were missed (downtime) and are stale now.
        superseded = Q(pk__isnull=False) if trigger.catch_up == "latest" and day < dates[-1] else None
        yield _shape(active, base.filter(**{f"{anchor_path}__in": anchors}), Value(day.isoformat()), now, batch,
                     superseded=superseded, fired_on=day)


def _tz_path(trigger: definitions.Trigger) -> str:
    return "time_zone" if trigger.partner_path == "pk" else f"{trigger.partner_path}__time_zone"


def _text(value: str) -> Cast:
    """A text constant with its type spelled out: with server-side binding, PostgreSQL cannot tell the type
    of a bare parameter in a select list, a CASE or json_build_object."""
    return Cast(Value(value), models.TextField())


def _shape(active: ActiveRule, queryset, occurrence, now, batch: str, *, superseded: Q | None,
           fired_on: datetime.date):
    """Annotate candidates into the columns of a Firing row (key, status, reason, variant, inputs)."""
    rule, version, trigger = active.rule, active.version, active.trigger
    model = queryset.model
    content_type = ContentType.objects.get_for_model(model)
    partner = _partner_ref(trigger)
    scope = trigger.scope()
    condition = conditions.compile_q(version.condition, scope)
    whens = []
    if superseded is not None:
        whens.append((superseded, Firing.Status.SKIPPED, Firing.Reason.SUPERSEDED))
    if version.throttle_days:
        recent = Firing.objects.filter(rule=rule, subject_type=content_type, subject_id=OuterRef("pk"),
                                       status__in=[Firing.Status.FIRED, Firing.Status.DEFERRED],
                                       created_at__gte=now - datetime.timedelta(days=version.throttle_days))
        whens.append((Q(Exists(recent)), Firing.Status.SKIPPED, Firing.Reason.THROTTLED))
    whens.append((condition if condition else Q(pk__isnull=False), Firing.Status.FIRED, ""))
    status = Case(*[When(q, then=_text(s)) for q, s, _r in whens], default=_text(Firing.Status.SKIPPED),
                  output_field=CharField())
    reason = Case(*[When(q, then=_text(str(r))) for q, _s, r in whens],
                  default=_text(Firing.Reason.CONDITION_FALSE), output_field=CharField())
    condition_result = Case(When(condition if condition else Q(pk__isnull=False), then=Value(True)),
                            default=Value(False), output_field=models.BooleanField())
    variant: models.Expression = _text("")
    if version.variants and partner:
        bucket = Mod(Mod(F(partner) * Value(2654435761) + Value(rule.pk), Value(4294967296)),
                     Value(len(version.variants)))
        variant = Case(*[When(Q(v_bucket=i), then=_text(v["name"])) for i, v in enumerate(version.variants)],
                       default=_text(""), output_field=CharField())
        queryset = queryset.annotate(v_bucket=bucket)
    from accord.automation.registry import condition_fields

    inputs = {name.replace(".", "_"): F(scope.lookup(condition_fields()[name])) for name in active.fields}
    inputs["fired_on"] = _text(fired_on.isoformat())
    trigger_doc = {"type": trigger.type, "anchor": trigger.anchor, "every": trigger.every,
                   "days": [trigger.first_day, trigger.last_day]}
    key = Concat(Value(f"{rule.pk}|{content_type.pk}:"), Cast("pk", CharField()), Value("|"), occurrence,
                 output_field=CharField())
    columns = {
        "f_key": key, "f_rule": Value(rule.pk), "f_version": Value(version.pk), "f_type": Value(content_type.pk),
        "f_subject": F("pk"),
        "f_partner": F(partner) if partner else Value(None, output_field=models.BigIntegerField()),
        "f_occurrence": Cast(occurrence, CharField()),
        "f_trigger": Value(trigger_doc, output_field=models.JSONField()),
        "f_inputs": JSONObject(**inputs), "f_result": condition_result, "f_status": status, "f_reason": reason,
        "f_variant": variant, "f_batch": _text(batch), "f_repeats": Value(0), "f_due": Value(now),
        "f_created": Value(now),
    }
    already = Firing.objects.filter(key=OuterRef("f_key"))
    return (queryset.order_by().annotate(**columns).filter(~Exists(already)).values_list(*columns))


FIRING_COLUMNS = ("key", "rule_id", "rule_version_id", "subject_type_id", "subject_id", "partner_id", "occurrence",
                  "trigger", "inputs", "condition_result", "status", "reason", "variant", "batch", "repeats",
                  "due_at", "created_at")


def _insert_select(queryset) -> list[tuple[int, str]]:
    """INSERT the shaped rows in one statement; keys already present are left alone (ON CONFLICT)."""
    sql, params = queryset.query.sql_with_params()
    table = Firing._meta.db_table
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in FIRING_COLUMNS)
    statement = (f"INSERT INTO {qn(table)} ({columns}) {sql} ON CONFLICT ({qn('key')}) DO NOTHING "
                 f"RETURNING {qn('id')}, {qn('status')}")
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _add_actions(active: ActiveRule, batch: str, fired: list[int], now: datetime.datetime) -> None:
    """One action row per fired firing and action (variant parameters applied), then their wake-up calls."""
    version = active.version
    variants = version.variants or [None]
    qn = connection.ops.quote_name
    action_table = qn(FiringAction._meta.db_table)
    firing_table = qn(Firing._meta.db_table)
    ids: list[int] = []
    json_field = models.JSONField()
    moment = connection.ops.adapt_datetimefield_value(now)
    for variant in variants:
        for position, action in enumerate(version.actions):
            params = definitions.apply_variant(action.get("params", {}), action["type"], variant)
            if connection.vendor == "postgresql":  # the ids just inserted: no scan of the ledger
                where, where_params = f"{qn('id')} = ANY(%s)", [fired]
            else:
                where, where_params = f"{qn('batch')} = %s AND {qn('status')} = %s", [batch, Firing.Status.FIRED]
            if variant is not None:
                where += f" AND {qn('variant')} = %s"
                where_params.append(variant["name"])
            # Identifiers are quoted table/column names; every value travels as a parameter.
            statement = (
                f"INSERT INTO {action_table} ({qn('firing_id')}, {qn('position')}, {qn('kind')}, {qn('params')}, "  # noqa: S608
                f"{qn('status')}, {qn('attempts')}, {qn('next_attempt_at')}, {qn('enqueued_at')}, "
                f"{qn('claim_token')}, {qn('outcome')}, {qn('error')}) "
                f"SELECT {qn('id')}, %s, %s, %s, %s, 0, %s, %s, '', %s, '' FROM {firing_table} WHERE {where} "
                f"ORDER BY {qn('id')} RETURNING {qn('id')}")
            values = [position, action["type"], json_field.get_db_prep_value(params, connection),
                      FiringAction.Status.PENDING, moment, moment, json_field.get_db_prep_value({}, connection),
                      *where_params]
            with connection.cursor() as cursor:
                cursor.execute(statement, values)
                ids += [row[0] for row in cursor.fetchall()]
    enqueue_actions(sorted(ids))


# -- the sweeper --------------------------------------------------------------------------------------------------

def sweep(*, now: datetime.datetime | None = None, limit: int = 5000) -> dict:
    """Recover what a crash or a lost task left behind, and escalate overdue tasks."""
    from accord.automation.execution import MAX_ATTEMPTS

    now = now or timezone.now()
    with transaction.atomic():
        expired = FiringAction.objects.filter(status=FiringAction.Status.RUNNING, lease_until__lt=now)
        failed = expired.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=FiringAction.Status.FAILED, error="interrupted too many times", finished_at=now)
        recovered = expired.update(status=FiringAction.Status.PENDING, claim_token="", lease_until=None,
                                   enqueued_at=None, next_attempt_at=now)
        due = list(FiringAction.objects.filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER),
            status=FiringAction.Status.PENDING, next_attempt_at__lte=now,
        ).order_by("next_attempt_at", "id").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        FiringAction.objects.filter(pk__in=due).update(enqueued_at=now)
        enqueue_actions(due)
    escalated = tasks_escalate_overdue(now=now)
    result = {"recovered": recovered, "failed": failed, "enqueued": len(due), "escalated": escalated}
    for job in housekeeping().values():
        try:
            result[job.name] = job.handler(now=now)
        except Exception:  # one domain's failing job must not stop the engine's own recovery
            logger.exception("housekeeping %s failed", job.name)
    return result


def tasks_escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Open tasks past due with an escalation role go one level up, once."""
    from accord.automation.builtin import task_escalate
    from accord.automation.messages import role_member

    now = now or timezone.now()
    count = 0
    overdue = Task.objects.filter(status=Task.Status.OPEN, due_at__lt=now, escalation_level=0).exclude(
        escalate_to_role="").filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lt=now))
    for task in overdue.order_by("due_at")[:500]:
        task_escalate(task=task, assignee=role_member(task.escalate_to_role), role=task.escalate_to_role,
                      priority=Task.Priority.URGENT, by="overdue", note="")
        count += 1
    return count


def run_due_actions(*, now: datetime.datetime | None = None, limit: int = 10000) -> int:
    """Run pending, due actions in this process, oldest first (`accord worker --batch`, tests)."""
    from accord.automation.execution import action_run

    now = now or timezone.now()
    ids = list(FiringAction.objects.filter(status=FiringAction.Status.PENDING, next_attempt_at__lte=now)
               .order_by("firing__created_at", "firing_id", "position").values_list("pk", flat=True)[:limit])
    for pk in ids:
        action_run(action_id=pk, now=now)
    return len(ids)


def drain(*, now: datetime.datetime | None = None) -> dict:
    """Process everything that is due right now, in this process (events, timed rules, actions)."""
    events = 0
    while processed := process_outbox(now=now):
        events += processed
    timed = time_pass(now=now)
    swept = sweep(now=now)
    actions = run_due_actions(now=now)
    return {"events": events, "timed": timed, "swept": swept, "actions": actions}
