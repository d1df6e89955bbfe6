"""What the engine itself emits: tasks for people, so rules can react to them (e.g. measure follow-up)."""

from django.utils.translation import gettext_lazy as _

from accord.automation import api as automation

automation.register_event_type("task.completed", label=_("Task completed"), subject="automation.Task")
automation.register_event_type("task.escalated", label=_("Task escalated"), subject="automation.Task")
automation.register_subject("automation.Task", partner_field="", owner_field="assignee",
                            label=lambda task: task.title)
