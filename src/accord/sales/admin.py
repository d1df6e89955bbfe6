"""Django admin for sales configuration and inspection; everyday work happens in the console."""

from django.contrib import admin

from accord.sales.models import (
    Certification,
    Deal,
    DealRequest,
    Lead,
    LeadOffer,
    RoutingProfile,
    SalesSettings,
    Territory,
)


@admin.register(SalesSettings)
class SalesSettingsAdmin(admin.ModelAdmin):
    list_display = ("protection_days", "duplicate_threshold", "review_threshold", "acceptance_hours",
                    "max_routing_attempts", "updated_at")


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("number", "company_name", "company_country", "partner", "status", "verdict", "protected_until",
                    "registered_at")
    list_filter = ("status", "verdict", "stage")
    search_fields = ("number", "company_name", "company_domain", "company_tax_id")
    raw_id_fields = ("partner", "registered_by", "decided_by", "conflict_with", "lead", "industry")
    readonly_fields = ("number", "company_norm", "conflicts", "verdict", "registered_at")


@admin.register(DealRequest)
class DealRequestAdmin(admin.ModelAdmin):
    list_display = ("deal", "kind", "status", "requested_at", "decided_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("deal", "requested_by", "decided_by")


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("number", "company_name", "country", "city", "source", "status", "partner", "routing_attempts")
    list_filter = ("status", "source")
    search_fields = ("number", "company_name", "contact_email")
    raw_id_fields = ("partner", "industry", "created_by")


@admin.register(LeadOffer)
class LeadOfferAdmin(admin.ModelAdmin):
    list_display = ("lead", "partner", "status", "score", "offered_at", "deadline")
    list_filter = ("status",)
    raw_id_fields = ("lead", "partner", "responded_by", "routed_by")


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("partner", "country", "region")
    raw_id_fields = ("partner",)


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("partner", "product", "valid_until")
    raw_id_fields = ("partner", "product")


@admin.register(RoutingProfile)
class RoutingProfileAdmin(admin.ModelAdmin):
    list_display = ("partner", "capacity", "accepts_leads")
    raw_id_fields = ("partner",)
