import json

import pytest
from django.urls import reverse

from accord.partners.models import Segment
from accord.partners.services import segment_save
from tests.factories import PartnerFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, channel_manager):
    client.force_login(channel_manager)
    return client


@pytest.fixture
def partners():
    gold = TierFactory(code="gold", name="Gold", rank=20)
    return {
        "pl_gold": PartnerFactory(legal_name="PL gold", country="PL", tier=gold),
        "de_gold": PartnerFactory(legal_name="DE gold", country="DE", tier=gold),
        "pl_silver": PartnerFactory(legal_name="PL silver", country="PL"),
    }


def _rows(*rows, match="all", **extra):
    return {"name": "Gold in Poland", "match": match, "mode": "builder",
            "field": [r[0] for r in rows], "op": [r[1] for r in rows], "value": [r[2] for r in rows], **extra}


def test_live_count_and_sample_follow_the_rule(signed_in, partners):
    url = reverse("console:segment_create")

    response = signed_in.post(url, _rows(("country", "eq", "pl"), ("tier", "in", "gold, platinum"),
                                         action="preview"), headers={"HX-Request": "true"})

    assert response.context["count"] == 1
    assert [p.legal_name for p in response.context["sample"]] == ["PL gold"]
    assert "<html" not in response.content.decode()
    anyone = signed_in.post(url, _rows(("country", "eq", "pl"), ("tier", "in", "gold"), match="any",
                                       action="preview"), headers={"HX-Request": "true"})
    assert anyone.context["count"] == 3


def test_preview_of_a_bad_row_names_the_row_and_the_problem(signed_in, partners):
    response = signed_in.post(reverse("console:segment_create"),
                              _rows(("country", "eq", "PL"), ("employees", "gt", "many"), action="preview"),
                              headers={"HX-Request": "true"})

    assert response.context["count"] is None
    assert "Condition 2: “many” is not a number." in response.content.decode().replace("&ldquo;", "“").replace(
        "&rdquo;", "”")


def test_saving_creates_the_segment_and_its_members(signed_in, partners):
    response = signed_in.post(reverse("console:segment_create"),
                              _rows(("country", "eq", "PL"), ("tier", "eq", "gold")))

    segment = Segment.objects.get(name="Gold in Poland")
    assert response.url == reverse("console:segment_edit", kwargs={"segment_id": segment.pk})
    assert segment.rule == {"all": [{"field": "country", "op": "eq", "value": "PL"},
                                    {"field": "tier", "op": "eq", "value": "gold"}]}
    assert list(segment.members.all()) == [partners["pl_gold"]]


def test_an_invalid_rule_is_not_saved(signed_in, partners):
    response = signed_in.post(reverse("console:segment_create"), _rows(("status", "eq", "sleeping")))

    assert response.status_code == 200
    assert "is not one of" in response.content.decode()
    assert not Segment.objects.exists()


def test_duplicate_name_is_a_field_error(signed_in, vendor_admin, partners):
    segment_save(actor=vendor_admin, name="Gold in Poland", rule={"field": "country", "op": "eq", "value": "PL"})

    response = signed_in.post(reverse("console:segment_create"), _rows(("country", "eq", "DE")))

    assert "name" in response.context["form"].errors
    assert Segment.objects.count() == 1


def test_editing_refreshes_membership(signed_in, vendor_admin, partners):
    segment = segment_save(actor=vendor_admin, name="Poland", rule={"field": "country", "op": "eq", "value": "PL"})
    url = reverse("console:segment_edit", kwargs={"segment_id": segment.pk})
    assert signed_in.get(url).context["editor"].rows[0].value == "PL"

    signed_in.post(url, {**_rows(("country", "eq", "DE")), "name": "Germany"})

    segment.refresh_from_db()
    assert segment.name == "Germany"
    assert list(segment.members.all()) == [partners["de_gold"]]


def test_rows_can_be_added_and_removed(signed_in):
    url = reverse("console:segment_create")

    added = signed_in.post(url, _rows(("country", "eq", "PL"), action="add"), headers={"HX-Request": "true"})
    assert len(added.context["editor"].rows) == 2
    removed = signed_in.post(url, _rows(("country", "eq", "PL"), ("city", "eq", "Kraków"), action="remove-0"),
                             headers={"HX-Request": "true"})
    assert [(r.field, r.value) for r in removed.context["editor"].rows] == [("city", "Kraków")]


def test_operators_follow_the_chosen_field(signed_in):
    response = signed_in.post(reverse("console:segment_create"), _rows(("employees", "eq", "10"), action="refresh"),
                              headers={"HX-Request": "true"})

    operators = [op for op, _label in response.context["editor"].rows[0].operators]
    assert "gt" in operators and "contains" not in operators


def test_json_mode_round_trip_and_errors(signed_in, vendor_admin, partners):
    url = reverse("console:segment_create")
    to_json = signed_in.post(url, _rows(("country", "eq", "PL"), action="mode-json"), headers={"HX-Request": "true"})
    editor = to_json.context["editor"]
    assert editor.mode == "json"
    assert json.loads(editor.json_text) == {"all": [{"field": "country", "op": "eq", "value": "PL"}]}

    malformed = signed_in.post(url, {"name": "X", "mode": "json", "rule_json": '{"all": [', "action": "preview"},
                               headers={"HX-Request": "true"})
    assert "The JSON is malformed at line 1" in malformed.content.decode()
    wrong = signed_in.post(url, {"name": "X", "mode": "json", "action": "preview",
                                 "rule_json": '{"all": [{"field": "colour", "op": "eq", "value": "red"}]}'},
                           headers={"HX-Request": "true"})
    assert "all[0].field" in wrong.content.decode()

    nested = {"all": [{"field": "country", "op": "eq", "value": "PL"},
                      {"not": {"field": "tier", "op": "eq", "value": "gold"}}]}
    signed_in.post(url, {"name": "Poland, not gold", "mode": "json", "rule_json": json.dumps(nested)})
    segment = Segment.objects.get(name="Poland, not gold")
    assert list(segment.members.all()) == [partners["pl_silver"]]
    assert signed_in.get(reverse("console:segment_edit", kwargs={"segment_id": segment.pk})).context[
        "editor"].mode == "json"


def test_list_shows_member_counts(signed_in, vendor_admin, partners):
    segment_save(actor=vendor_admin, name="Poland", rule={"field": "country", "op": "eq", "value": "PL"})

    response = signed_in.get(reverse("console:segment_list"))

    assert [(s.name, s.member_count) for s in response.context["segments"]] == [("Poland", 2)]


def test_segment_list_query_count_does_not_grow_with_segments(signed_in, vendor_admin, partners,
                                                              django_assert_max_num_queries):
    segment_save(actor=vendor_admin, name="Poland", rule={"field": "country", "op": "eq", "value": "PL"})
    with django_assert_max_num_queries(40) as few:
        signed_in.get(reverse("console:segment_list"))
    for country in ("DE", "US", "ID", "RU"):
        segment_save(actor=vendor_admin, name=country, rule={"field": "country", "op": "eq", "value": country})

    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(reverse("console:segment_list"))


def test_deleting_a_segment_keeps_its_partners(signed_in, vendor_admin, partners):
    segment = segment_save(actor=vendor_admin, name="Poland", rule={"field": "country", "op": "eq", "value": "PL"})

    response = signed_in.post(reverse("console:segment_delete", kwargs={"segment_id": segment.pk}))

    assert response.url == reverse("console:segment_list")
    assert not Segment.objects.exists()
    assert partners["pl_gold"].__class__.objects.count() == 3


def test_values_are_suggested_per_field(signed_in, partners):
    page = signed_in.get(reverse("console:segment_create")).content.decode()

    assert '<datalist id="values-tier"><option value="silver">Silver</option><option value="gold">Gold' in page
    assert '<option value="PL">' in page
