"""Django admin for commerce configuration: catalog, price lists, warehouses, partner accounts.

Transactions (orders, invoices, payments, reservations) are read-only here: they change only through
the services, so their events and invariants hold.
"""

from django.contrib import admin
from django.utils.translation import gettext as _

from accord.commerce import models, services


class TranslationInline(admin.TabularInline):
    model = models.ProductTranslation
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = models.ProductAttachment
    extra = 0


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "position")
    search_fields = ("code", "name")


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "category", "lifecycle", "release_date")
    list_filter = ("lifecycle", "category")
    search_fields = ("sku", "name", "external_id")
    inlines = [TranslationInline, AttachmentInline]


@admin.register(models.ProductNotice)
class ProductNoticeAdmin(admin.ModelAdmin):
    """Notices are written here as drafts and published with the action, which tells subscribers."""

    list_display = ("title", "product", "kind", "severity", "status", "published_at")
    list_filter = ("status", "kind", "severity")
    search_fields = ("title", "product__sku")
    readonly_fields = ("published_at",)
    actions = ["publish"]

    @admin.action(description=_("Publish and notify subscribers"))
    def publish(self, request, queryset):
        published = 0
        for notice in queryset.exclude(status=models.ProductNotice.Status.PUBLISHED):
            services.product_notice_publish(actor=request.user, notice=notice)
            published += 1
        self.message_user(request, _("%(count)s notice(s) published.") % {"count": published})


class PriceListItemInline(admin.TabularInline):
    model = models.PriceListItem
    extra = 0
    autocomplete_fields = ("product",)


@admin.register(models.PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "currency", "scope", "priority", "valid_from", "valid_to", "is_active")
    list_filter = ("scope", "currency", "is_active")
    search_fields = ("code", "name")
    inlines = [PriceListItemInline]


@admin.register(models.ListPrice)
class ListPriceAdmin(admin.ModelAdmin):
    list_display = ("product", "currency", "amount", "valid_from", "valid_to")
    list_filter = ("currency",)
    search_fields = ("product__sku",)


@admin.register(models.PartnerAccount)
class PartnerAccountAdmin(admin.ModelAdmin):
    list_display = ("partner", "currency", "credit_limit", "payment_terms_days", "on_hold")
    search_fields = ("partner__legal_name",)


@admin.register(models.Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country", "city", "is_active")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "partner", "status", "total", "currency", "placed_at")
    list_filter = ("status",)
    search_fields = ("number", "partner__legal_name", "customer_reference")


@admin.register(models.Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "partner", "status", "total", "open_amount", "currency", "due_date")
    list_filter = ("status", "kind", "currency")
    search_fields = ("number", "partner__legal_name")


@admin.register(models.Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("partner", "product", "quantity", "status", "expires_at")
    list_filter = ("status",)


@admin.register(models.InboundDelivery)
class InboundDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("reference", "warehouse", "status", "expected_on", "first_expected_on", "arrived_on")
    list_filter = ("status", "warehouse")
    search_fields = ("reference", "supplier")
