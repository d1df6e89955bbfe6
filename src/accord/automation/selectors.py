"""Every read of the engine's data, scoped to the caller: vendor staff see everything, partner people see only
the automated messages their own organisation's people received (and the firings behind them).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accord.automation.models import Firing, FiringAction, Message, Pause, QuietHours, Rule, Task
from accord.partners.counts import count_rows
from accord.partners.models import User


def _vendor(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_vendor


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- rules ------------------------------------------------------------------------------------------------------

def rules_visible_to(user: User) -> QuerySet[Rule]:
    if not _vendor(user):
        return Rule.objects.none()
    return Rule.objects.select_related("owner", "current_version")


def rule_list(user: User, *, search: str = "", playbook: str = "", category: str = "",
              enabled: str = "") -> QuerySet[Rule]:
    week_ago = timezone.now() - datetime.timedelta(days=7)
    rules = rules_visible_to(user).annotate(
        fired_7d=Count("firings", filter=Q(firings__created_at__gte=week_ago, firings__status=Firing.Status.FIRED)))
    if search:
        rules = rules.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if playbook:
        rules = rules.filter(playbook=playbook)
    if category:
        rules = rules.filter(category=category)
    if enabled in {"1", "0"}:
        rules = rules.filter(enabled=enabled == "1")
    return rules.order_by("playbook", "name", "pk")


def rule_get(user: User, rule_id) -> Rule:
    return _get(rules_visible_to(user), rule_id)


def playbooks() -> list[str]:
    return sorted(set(Rule.objects.exclude(playbook="").values_list("playbook", flat=True)))


# -- ledger -----------------------------------------------------------------------------------------------------

def firings_visible_to(user: User) -> QuerySet[Firing]:
    """Vendor staff: the whole ledger. Partner people: firings that sent a message to their organisation."""
    firings = Firing.objects.select_related("rule", "rule_version", "subject_type")
    if _vendor(user):
        return firings
    if user.is_authenticated and user.is_active and user.partner_id:
        own = Message.objects.filter(firing=OuterRef("pk"), recipient__partner_id=user.partner_id)
        return firings.filter(Exists(own), partner_id=user.partner_id)
    return Firing.objects.none()


def ledger_search(user: User, *, rule=None, partner=None, status: str = "", reason: str = "", subject: str = "",
                  since: datetime.date | None = None, until: datetime.date | None = None) -> QuerySet[Firing]:
    firings = firings_visible_to(user)
    if rule:
        firings = firings.filter(rule_id=rule)
    if partner:
        firings = firings.filter(partner_id=partner)
    if status:
        firings = firings.filter(status=status)
    if reason:
        firings = firings.filter(reason=reason)
    if subject:
        firings = firings.filter(Q(key__icontains=subject) | Q(occurrence__icontains=subject))
    if since:
        firings = firings.filter(created_at__date__gte=since)
    if until:
        firings = firings.filter(created_at__date__lte=until)
    return firings.order_by("-created_at", "-id")


def firing_get(user: User, firing_id) -> Firing:
    return _get(firings_visible_to(user), firing_id)


def firing_actions(firing: Firing) -> QuerySet[FiringAction]:
    return firing.firing_actions.order_by("position")


def failed_actions(user: User) -> QuerySet[FiringAction]:
    if not _vendor(user):
        return FiringAction.objects.none()
    return (FiringAction.objects.filter(status=FiringAction.Status.FAILED)
            .select_related("firing__rule").order_by("-finished_at", "-id"))


def firing_action_get(user: User, action_id) -> FiringAction:
    if not _vendor(user):
        raise Http404
    return _get(FiringAction.objects.select_related("firing__rule"), action_id)


def experiment_results(user: User, rule: Rule | None = None) -> list[dict]:
    """Per rule and variant: partners exposed, outcomes seen, conversion rate, and which variant leads."""
    if not _vendor(user):
        return []
    rows = (Firing.objects.filter(status=Firing.Status.FIRED).exclude(variant="")
            .values("rule_id", "rule__name", "rule_version__outcome_event", "variant")
            .annotate(exposed=Count("id"), converted=Count("id", filter=Q(outcome_at__isnull=False)))
            .order_by("rule__name", "variant"))
    if rule is not None:
        rows = rows.filter(rule=rule)
    results: dict[int, dict] = {}
    for row in rows:
        entry = results.setdefault(row["rule_id"], {"rule_id": row["rule_id"], "rule": row["rule__name"],
                                                    "outcome": row["rule_version__outcome_event"], "variants": []})
        rate = row["converted"] / row["exposed"] if row["exposed"] else 0.0
        entry["variants"].append({"name": row["variant"], "exposed": row["exposed"], "converted": row["converted"],
                                  "rate": rate})
    for entry in results.values():
        best = max(entry["variants"], key=lambda v: (v["rate"], v["exposed"]))
        for variant in entry["variants"]:
            variant["leading"] = variant is best and best["converted"] > 0
    return list(results.values())


# -- messages (portal) --------------------------------------------------------------------------------------------

def messages_visible_to(user: User) -> QuerySet[Message]:
    """A partner's people see messages sent to anyone of their own organisation; vendor staff see theirs."""
    if not user.is_authenticated or not user.is_active:
        return Message.objects.none()
    messages = Message.objects.select_related("recipient", "firing__rule")
    if user.partner_id:
        mine = Q(recipient=user)
        if user.is_partner_admin:
            mine |= Q(recipient__partner_id=user.partner_id)
        return messages.filter(mine, partner_id=user.partner_id)
    return messages.filter(recipient=user)


def message_get(user: User, message_id) -> Message:
    return _get(messages_visible_to(user), message_id)


def unread_count(user: User) -> int:
    """The caller's own unread messages (the badge in the navigation of every page)."""
    if not user.is_authenticated or not user.is_active:
        return 0
    if user.partner_id:
        return count_rows(Message, recipient_id=user.pk, read_at__isnull=True, partner_id=user.partner_id)
    return count_rows(Message, recipient_id=user.pk, read_at__isnull=True)


def recent_messages(user: User, count: int) -> list[Message]:
    """The newest messages the caller may read, with only what a list of links shows.

    Every message a partner's people may read carries the partner's id: when there is none (most
    partners, most of the time) no query with the visibility rules is built.
    """
    if user.partner_id and not count_rows(Message, partner_id=user.partner_id):
        return []
    visible = messages_visible_to(user).select_related(None)
    return list(visible.only("subject", "sent_at", "read_at", "recipient_id")[:count])


# -- tasks --------------------------------------------------------------------------------------------------------

def tasks_visible_to(user: User) -> QuerySet[Task]:
    if not _vendor(user):
        return Task.objects.none()
    return Task.objects.select_related("assignee", "source_rule", "subject_type")


def task_inbox(user: User, *, scope: str = "mine", status: str = "open", search: str = "") -> QuerySet[Task]:
    """"mine": assigned to me or to a role I hold; "team": everyone's; overdue first, then by priority."""
    tasks = tasks_visible_to(user)
    if scope == "mine":
        roles = [r.value for r in user.roles]
        tasks = tasks.filter(Q(assignee=user) | Q(assignee__isnull=True, role__in=roles))
    elif scope == "overdue":
        tasks = tasks.filter(due_at__lt=timezone.now())
    if status:
        tasks = tasks.filter(status=status)
    if search:
        tasks = tasks.filter(Q(title__icontains=search) | Q(subject_label__icontains=search))
    return tasks.order_by("status", "due_at", "-priority", "id")


def task_get(user: User, task_id) -> Task:
    return _get(tasks_visible_to(user), task_id)


def human_for(partner_id: int | None) -> User | None:
    """The named person partners see on anything that needs one: their channel manager."""
    from accord.partners.models import Partner

    if not partner_id:
        return None
    partner = Partner.objects.select_related("channel_manager").filter(pk=partner_id).first()
    return partner.channel_manager if partner else None


# -- pauses, quiet hours, dashboards --------------------------------------------------------------------------------

def pauses(user: User, *, active_only: bool = False) -> QuerySet[Pause]:
    if not _vendor(user):
        return Pause.objects.none()
    found = Pause.objects.select_related("partner", "rule", "created_by")
    return found.filter(Pause.active_q()) if active_only else found


def quiet_hours() -> QuietHours:
    return QuietHours.objects.filter(pk=1).first() or QuietHours(pk=1)


def console_summary(user: User) -> dict:
    """Figures for the console dashboard: my open and overdue tasks, failed actions, firings today."""
    if not _vendor(user):
        return {}
    mine = task_inbox(user, scope="mine")
    today = timezone.now() - datetime.timedelta(hours=24)
    return {
        "tasks_open": mine.count(),
        "tasks_overdue": mine.filter(due_at__lt=timezone.now()).count(),
        "failed_actions": FiringAction.objects.filter(status=FiringAction.Status.FAILED).count(),
        "fired_24h": Firing.objects.filter(created_at__gte=today, status=Firing.Status.FIRED).count(),
        "rules_enabled": Rule.objects.filter(enabled=True).count(),
        "paused": Pause.objects.filter(Pause.active_q()).count(),
    }


def partner_automation(user: User, partner_id: int) -> dict:
    """The partner 360 slot: recent firings, open tasks and active pauses for one partner."""
    if not _vendor(user):
        return {}
    return {
        "firings": list(Firing.objects.filter(partner_id=partner_id).select_related("rule")
                        .order_by("-created_at", "-id")[:10]),
        "tasks": list(Task.objects.filter(partner_id=partner_id, status=Task.Status.OPEN)
                      .select_related("assignee").order_by("due_at")[:10]),
        "pauses": list(Pause.objects.filter(Pause.active_q(), partner_id=partner_id)),
    }


# -- choices for forms ------------------------------------------------------------------------------------------------

def rule_choices(*, category: str = "") -> QuerySet[Rule]:
    rules = Rule.objects.order_by("name").only("pk", "name")
    return rules.filter(category=category) if category else rules


def partner_choices():
    from accord.partners.models import Partner

    return Partner.objects.order_by("legal_name").only("pk", "legal_name", "trading_name")


def partners_by_id(ids) -> dict:
    from accord.partners.models import Partner

    return {p.pk: p for p in Partner.objects.filter(pk__in={i for i in ids if i})}
