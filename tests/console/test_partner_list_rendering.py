"""The partner list writes its rows, filters and navigation without the form and template machinery it used to.

These pin what users see to what the models and Django's widgets would show.
"""

import re
from datetime import date

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from accord.console.forms.partners import PartnerFilterForm
from accord.console.templatetags.console import labelled_select
from tests.factories import PartnerFactory, TierFactory, VendorUserFactory

pytestmark = pytest.mark.django_db


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.fixture
def signed_in(client, channel_manager):
    client.force_login(channel_manager)
    return client


def _row(body: str, partner) -> str:
    start = body.index(f'<a href="{reverse("console:partner_detail", kwargs={"partner_id": partner.pk})}">')
    return body[start:body.index("</tr>", start)]


def test_rows_show_what_the_models_show(signed_in):
    gold = TierFactory(code="gold", name="Gold", rank=20)
    manager = VendorUserFactory(first_name="Anna", last_name="Kowalska")
    full = PartnerFactory(legal_name="Wisła Sp. z o.o.", trading_name="Wisła <IT>", country="PL", city="Kraków",
                          web_domain="wisla.example", tax_id="5260250274", tier=gold, channel_manager=manager,
                          status="suspended", joined_on=date(2024, 3, 5))
    bare = PartnerFactory(legal_name="Bare & Co", web_domain="", tier=None, channel_manager=None, status="applicant")

    body = _squeeze(signed_in.get(reverse("console:partner_list")).content.decode())

    assert _row(body, full).endswith(
        'Wisła &lt;IT&gt;</a><div class="muted small">wisla.example · 5260250274</div></td>'
        '<td title="Poland">PL</td><td>Kraków</td><td>Gold</td><td><span class="badge bad">Suspended</span></td>'
        "<td>Anna Kowalska</td><td>03/05/2024</td>")
    assert _row(body, bare).endswith(
        'Bare &amp; Co</a></td><td title="Germany">DE</td><td>Berlin</td><td>—</td>'
        '<td><span class="badge warn">Applicant</span></td><td>—</td><td>—</td>')


@pytest.mark.parametrize("query", [{}, {"status": "active"}, {"status": "bogus", "country": "ZZ"},
                                   {"segment": "x", "tier": "gold", "channel_manager": "0"}])
def test_filter_selects_match_the_django_widgets(channel_manager, query):
    TierFactory(code="gold", name="Gold", rank=20)
    PartnerFactory(country="PL", channel_manager=channel_manager)
    form = PartnerFilterForm(query or None)
    form.filters()

    for name in ("segment", "tier", "country", "status", "channel_manager"):
        field = form[name]
        assert _squeeze(labelled_select(field)) == _squeeze(field.label_tag() + str(field))


def _nav(path: str, user) -> str:
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return _squeeze(Template("{% load console %}{% console_nav %}").render(Context({"request": request})))


def test_side_navigation_marks_the_current_page_and_speaks_the_language(channel_manager, vendor_admin):
    partners = _nav(reverse("console:partner_list"), channel_manager)
    dashboard = _nav(reverse("console:dashboard"), channel_manager)
    with translation.override("pl"):
        polish = _nav(reverse("console:partner_list"), channel_manager)

    assert f'<a href="{reverse("console:partner_list")}" class="active">' in partners
    assert f'<a href="{reverse("console:dashboard")}" class="">' in partners
    assert f'<a href="{reverse("console:dashboard")}" class="active">' in dashboard
    assert polish != partners
    assert "admin" not in partners


def test_side_navigation_links_administration_for_staff_only(channel_manager):
    channel_manager.is_staff = True

    assert reverse("admin:index") in _nav(reverse("console:partner_list"), channel_manager)


def test_queries_full_page_and_htmx_partial(signed_in, channel_manager, django_assert_max_num_queries):
    # given a list longer than a page
    PartnerFactory.create_batch(30, channel_manager=channel_manager, country="PL")
    filters = {"country": "PL", "status": "active"}

    # then the full page reads the count, the page's rows and four filter lists (+ session, user, roles)
    with django_assert_max_num_queries(9):
        signed_in.get(reverse("console:partner_list"), filters)
    # and the htmx partial reads only the count, the rows and the country list the filter is checked against
    with django_assert_max_num_queries(6):
        response = signed_in.get(reverse("console:partner_list"), filters, headers={"HX-Request": "true"})
    assert len(response.context["page"].object_list) == 25
