from auditlog.registry import auditlog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accord.partners.models import (
    Application,
    Industry,
    ManagerMessage,
    Partner,
    QualificationQuestion,
    Segment,
    Specialisation,
    Tier,
    User,
)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "rank")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Industry, Specialisation)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "country", "tier", "status", "channel_manager")
    list_filter = ("status", "tier", "country", "size")
    search_fields = ("legal_name", "trading_name", "web_domain", "tax_id")
    autocomplete_fields = ("channel_manager",)
    filter_horizontal = ("industries", "specialisations")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "partner", "is_active")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("email", "first_name", "last_name")
    autocomplete_fields = ("partner",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "job_title", "language", "time_zone",
                                  "partner")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "partner")}),)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(QualificationQuestion)
class QualificationQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "weight", "position", "is_active")
    list_editable = ("position", "is_active")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "country", "score", "status", "submitted_at")
    list_filter = ("status", "country")
    search_fields = ("legal_name", "contact_email", "web_domain")


@admin.register(ManagerMessage)
class ManagerMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "partner", "sender", "recipient", "sent_at")


for model in (Tier, Industry, Specialisation, Partner, User, Segment, QualificationQuestion, Application):
    auditlog.register(model)
