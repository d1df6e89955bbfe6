"""Django admin for the engine's configuration: webhook endpoints, quiet hours and pauses.

Rules are edited in the console (validation, preview, versions); the ledger, actions and messages are shown
read-only here for support staff. Configuration changes are recorded by django-auditlog.
"""

from auditlog.mixins import AuditlogHistoryAdminMixin
from auditlog.registry import auditlog
from django.contrib import admin

from accord.automation.models import Firing, FiringAction, Pause, QuietHours, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    list_display = ("name", "url", "enabled", "created_at")
    list_filter = ("enabled",)
    search_fields = ("name", "url")


@admin.register(QuietHours)
class QuietHoursAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "enabled", "weekends")


@admin.register(Pause)
class PauseAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    list_display = ("scope", "partner", "rule", "reason", "until", "lifted_at", "created_by")
    list_filter = ("scope",)
    autocomplete_fields = ("partner",)
    raw_id_fields = ("rule",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FiringActionInline(admin.TabularInline):
    model = FiringAction
    fields = ("position", "kind", "status", "attempts", "outcome", "error", "finished_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Firing)
class FiringAdmin(ReadOnly):
    list_display = ("key", "rule", "status", "reason", "partner_id", "created_at")
    list_filter = ("status", "reason")
    search_fields = ("key",)
    inlines = [FiringActionInline]
    list_select_related = ("rule",)


auditlog.register(WebhookEndpoint, exclude_fields=["secret"])
auditlog.register(QuietHours)
auditlog.register(Pause)
