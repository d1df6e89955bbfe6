"""Template tags every Accord template has without `{% load %}` (settings: TEMPLATES OPTIONS "builtins").

`{% url %}` whose view name and arguments are all literals names the same path on every request with the same
URLconf, script prefix and current application, so it is reversed once per process and then looked up:
reversing cost ~24 µs, and a portal page has fifteen such links (ADR 0005). Links with variable arguments are
reversed every time, as Django does.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, Variable
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_reversed: dict[tuple, str] = {}


def _is_literal(expression: FilterExpression) -> bool:
    return not expression.filters and (not isinstance(expression.var, Variable) or expression.var.lookups is None)


def _current_app(context) -> str | None:
    """The application namespace Django's own tag reverses in."""
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


class LiteralURLNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((name, value.resolve(context)) for name, value in self.kwargs.items())
        view_name, current_app = self.view_name.resolve(context), _current_app(context)
        key = (view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf())
        url = _reversed.get(key)
        if url is None:
            try:
                url = reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
            except NoReverseMatch:
                return super().render(context)  # Django's handling: "" with `as`, the error without
            _reversed[key] = url
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's `{% url %}`; reversed once per process when everything in it is a literal."""
    node = django_url(parser, token)
    expressions = [node.view_name, *node.args, *node.kwargs.values()]
    if all(_is_literal(expression) for expression in expressions):
        return LiteralURLNode(node.view_name, node.args, node.kwargs, node.asvar)
    return node


@receiver(setting_changed)
def _forget_reversed(*, setting: str, **_kwargs) -> None:
    """Tests that swap the URLconf or the script name must not see the paths of the old one."""
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _reversed.clear()
