"""The `{% url %}` builtin: literal links are reversed once, and still follow the URLconf and script prefix."""

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, set_script_prefix

from accord.partners.templatetags.accord_builtins import LiteralURLNode


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_literal_links_use_the_memoising_node_and_variable_ones_do_not():
    engine = engines["django"].engine
    literal = engine.from_string("{% url 'portal:dashboard' %}").nodelist[0]
    variable = engine.from_string("{% url 'console:partner_detail' partner_id=pk %}").nodelist[0]
    assert isinstance(literal, LiteralURLNode)
    assert not isinstance(variable, LiteralURLNode)


def test_links_render_as_django_renders_them():
    plain = Engine(app_dirs=True)  # Django's own tags only
    for source in ["{% url 'portal:dashboard' %}", "{% url 'console:partner_detail' 7 %}",
                   "{% url 'console:partner_detail' partner_id=7 %}", "{% url 'portal:team' as link %}[{{ link }}]"]:
        assert render(source) == plain.from_string(source).render(Context())


def test_a_literal_link_follows_the_script_prefix():
    try:
        set_script_prefix("/first/")
        assert render("{% url 'portal:dashboard' %}") == "/first/portal/"
        set_script_prefix("/second/")
        assert render("{% url 'portal:dashboard' %}") == "/second/portal/"
    finally:
        clear_script_prefix()
        set_script_prefix("/")


def test_variable_arguments_are_reversed_on_every_render():
    source = "{% url 'console:partner_detail' partner_id=pk %}"
    assert render(source, pk=1) == "/console/partners/1/"
    assert render(source, pk=2) == "/console/partners/2/"


def test_an_unknown_literal_link_still_fails_loudly_or_yields_nothing_with_as():
    with pytest.raises(NoReverseMatch):
        render("{% url 'portal:no_such_page' %}")
    assert render("{% url 'portal:no_such_page' as link %}[{{ link }}]") == "[]"


def test_swapping_the_urlconf_forgets_links_of_the_old_one():
    assert render("{% url 'portal:dashboard' %}") == "/portal/"
    with override_settings(ROOT_URLCONF="tests.partners.urls_elsewhere"):
        assert render("{% url 'portal:dashboard' %}") == "/elsewhere/"
    assert render("{% url 'portal:dashboard' %}") == "/portal/"
