"""Console pages for segments: the list, and the editor with a live count of matching partners."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accord.console.access import vendor_required
from accord.console.forms.segments import RuleEditor, SegmentForm
from accord.partners import selectors, services
from accord.partners.forms import apply_service_errors
from accord.partners.roles import Role

SAMPLE_SIZE = 10
EDITOR_ACTIONS = {"add", "refresh", "mode-json", "mode-builder"}


@vendor_required
def segment_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/segments/list.html", {
        "segments": selectors.segments_with_counts().order_by("name"),
    })


@vendor_required(roles=(Role.CHANNEL_MANAGER,))
def segment_edit(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    """Create or change a segment. htmx posts re-render the editor (rows) or the live preview only."""
    segment = selectors.segment_get(request.user, segment_id) if segment_id is not None else None
    if request.method != "POST":
        form = SegmentForm(initial={"name": segment.name, "description": segment.description} if segment else None)
        editor = RuleEditor.from_rule(segment.rule if segment else None)
        return _page(request, segment, form, editor)

    form = SegmentForm(request.POST)
    editor = RuleEditor.from_post(request.POST)
    action = request.POST.get("action", "save")
    if action == "preview":
        return _preview(request, editor)
    if action.startswith("remove-") and action.removeprefix("remove-").isdigit():
        editor.remove_row(int(action.removeprefix("remove-")))
        action = "refresh"
    if action == "add":
        editor.add_row()
    if action.startswith("mode-"):
        editor.switch_mode(action.removeprefix("mode-"))
    if action in EDITOR_ACTIONS:
        if request.htmx:
            return render(request, "console/segments/edit.html#editor", {"editor": editor})
        return _page(request, segment, form, editor)

    rule = editor.rule()
    if form.is_valid() and rule is not None:
        try:
            segment = services.segment_save(actor=request.user, segment=segment, rule=rule,
                                            **form.cleaned_data)
        except ValidationError as error:
            if "rule" in getattr(error, "error_dict", {}):
                editor.errors.extend(error.error_dict.pop("rule")[0].messages)
            apply_service_errors(form, error)
        else:
            count = segment.members.count()
            messages.success(request, ngettext("Segment “%(name)s” saved: %(count)s partner matches it now.",
                                               "Segment “%(name)s” saved: %(count)s partners match it now.", count)
                             % {"name": segment.name, "count": count})
            return redirect("console:segment_edit", segment_id=segment.pk)
    return _page(request, segment, form, editor)


@vendor_required(roles=(Role.CHANNEL_MANAGER,))
@require_POST
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = selectors.segment_get(request.user, segment_id)
    try:
        services.segment_delete(actor=request.user, segment=segment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("console:segment_edit", segment_id=segment.pk)
    messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
    return redirect("console:segment_list")


def _page(request: HttpRequest, segment, form: SegmentForm, editor: RuleEditor) -> HttpResponse:
    return render(request, "console/segments/edit.html", {"segment": segment, "form": form, "editor": editor})


def _preview(request: HttpRequest, editor: RuleEditor) -> HttpResponse:
    """How many partners the rule as it stands matches, and a few of them; computed in SQL."""
    rule = editor.rule()
    count, sample = selectors.segment_sample(rule, size=SAMPLE_SIZE) if rule is not None else (None, [])
    return render(request, "console/segments/edit.html#preview", {"editor": editor, "count": count,
                                                                   "sample": sample})


urlpatterns = [
    path("segments/", segment_list, name="segment_list"),
    path("segments/new/", segment_edit, name="segment_create"),
    path("segments/<int:segment_id>/", segment_edit, name="segment_edit"),
    path("segments/<int:segment_id>/delete/", segment_delete, name="segment_delete"),
]
