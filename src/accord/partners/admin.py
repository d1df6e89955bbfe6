"""Django admin for configuration: tiers, segments, people, qualification questions, applications.

Every change made here is recorded by django-auditlog (who, what, when); each model's change page has
an "Audit log" link and the list pages a column leading to it.
"""

from auditlog.mixins import AuditlogHistoryAdminMixin
from auditlog.registry import auditlog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.html import format_html
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
from accord.partners.roles import Role
from accord.partners.segments import compile_rule
from accord.partners.services import partner_clean, segment_refresh


class AuditedAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    show_auditlog_history_link = True


@admin.register(Tier)
class TierAdmin(AuditedAdmin):
    list_display = ("name", "code", "rank", "partner_count")
    prepopulated_fields = {"code": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(partner_count=Count("partners"))

    @admin.display(description=_("partners"), ordering="partner_count")
    def partner_count(self, tier: Tier) -> int:
        return tier.partner_count


@admin.register(Industry, Specialisation)
class ReferenceAdmin(AuditedAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


class PartnerAdminForm(forms.ModelForm):
    """The same identity checks as every other way of changing a partner (tax ID per country, phone, domain)."""

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        construct_instance(self, self.instance)
        try:
            partner_clean(self.instance)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            for field in ("country", "web_domain", "tax_id", "phone", "currency"):
                cleaned[field] = getattr(self.instance, field)
        return cleaned


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    form = PartnerAdminForm
    list_display = ("legal_name", "country", "tier", "status", "channel_manager", "console_link")
    list_filter = ("status", "tier", "country", "size")
    search_fields = ("legal_name", "trading_name", "web_domain", "tax_id")
    autocomplete_fields = ("channel_manager",)
    filter_horizontal = ("industries", "specialisations")
    list_select_related = ("tier", "channel_manager")

    @admin.display(description=_("console"))
    def console_link(self, partner: Partner) -> str:
        return format_html('<a href="{}">{}</a>', reverse("console:partner_detail", kwargs={"partner_id": partner.pk}),
                           _("Partner 360"))


@admin.register(User)
class UserAdmin(AuditlogHistoryAdminMixin, DjangoUserAdmin):
    show_auditlog_history_link = True
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "partner", "role_list", "is_active")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("email", "first_name", "last_name")
    autocomplete_fields = ("partner",)
    list_select_related = ("partner",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "job_title", "language", "time_zone",
                                  "partner")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "partner")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, user: User) -> str:
        return ", ".join(sorted(Role(g.name).label for g in user.groups.all() if g.name in Role._value2member_map_))


class SegmentAdminForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ("name", "description", "rule")

    def clean_rule(self):
        rule = self.cleaned_data["rule"]
        try:
            compile_rule(rule)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return rule


@admin.register(Segment)
class SegmentAdmin(AuditedAdmin):
    form = SegmentAdminForm
    list_display = ("name", "description", "member_count", "updated_at")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("segmentmembership"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, segment: Segment) -> int:
        return segment.member_count

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        segment_refresh(segment=obj)


@admin.register(QualificationQuestion)
class QualificationQuestionAdmin(AuditedAdmin):
    list_display = ("text", "weight", "position", "is_active")
    list_editable = ("position", "is_active")


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin):
    list_display = ("legal_name", "country", "score", "status", "submitted_at", "review_link")
    list_filter = ("status", "country")
    search_fields = ("legal_name", "contact_email", "web_domain")
    readonly_fields = ("score", "answers", "status", "submitted_at", "decided_at", "decided_by", "decision_reason",
                       "partner")

    @admin.display(description=_("review"))
    def review_link(self, application: Application) -> str:
        url = reverse("console:application_detail", kwargs={"application_id": application.pk})
        return format_html('<a href="{}">{}</a>', url, _("Review in the console"))


@admin.register(ManagerMessage)
class ManagerMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "partner", "sender", "recipient", "sent_at", "read_at")
    list_select_related = ("partner", "sender", "recipient")


for model in (Tier, Industry, Specialisation, Segment, QualificationQuestion, Application):
    auditlog.register(model)
# Only the partner's own fields: not bookkeeping timestamps, nor the reverse relations other domains add.
auditlog.register(Partner, include_fields=[
    f.name for f in Partner._meta.concrete_fields if f.name not in {"id", "created_at", "updated_at",
                                                                   "last_portal_login"}],
    m2m_fields={"industries", "specialisations"})
auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
