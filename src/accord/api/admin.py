from auditlog.registry import auditlog
from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.api.models import ApiToken, token_digest
from accord.api.services import api_token_create, api_token_revoke


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name", "user")

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user is not None and not user.is_active:
            raise forms.ValidationError(_("%(email)s is deactivated.") % {"email": user.email})
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__email", "prefix")
    autocomplete_fields = ("user",)
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ("name", "user") if obj is None else ("name", "user", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ("user", *self.readonly_fields)

    def save_model(self, request, obj: ApiToken, form, change: bool) -> None:
        """A new token gets its key here, shown once in the confirmation message."""
        if change:
            obj.save(update_fields=["name"])
            return
        token, key = api_token_create(user=obj.user, name=obj.name)
        obj.pk, obj.prefix, obj.key_digest, obj.created_at = token.pk, token.prefix, token_digest(key), token.created_at
        obj._state.adding = False
        messages.warning(request, _("The key of “%(name)s” is %(key)s — copy it now, it will not be shown again.")
                         % {"name": token.name, "key": key})

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": queryset.count()})


auditlog.register(ApiToken, exclude_fields=["key_digest", "last_used_at"])
