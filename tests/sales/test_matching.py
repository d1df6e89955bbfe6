"""The matcher: names across languages and scripts, domains, tax IDs, products, time; and its index."""

import datetime

import pytest

from accord.sales.matching import Registration, compare, key_texts
from accord.sales.names import normalise, skeleton, transliterate


@pytest.mark.parametrize(("a", "b"), [
    ("ООО «Ромашка»", "Romashka LLC"),
    ("Romaschka Technologie GmbH", "ООО Ромашка Технологии"),
    ("Nordwind Systemhaus GmbH", "NORDWIND-SYSTEMHAUS"),
    ("PT Nusantara Solusi Digital Tbk", "Nusantara Digital Solusi, PT"),
    ("Wisła Integracje Sp. z o.o.", "Wisla Integracje S.A."),
    ("Lakeside Networks Inc.", "Lakesdie Networks"),
    ("International Business Systems Inc.", "IBS LLC"),
    ("Щербаков и партнёры", "Shcherbakov & Partners"),
])
def test_the_same_company_written_differently_is_a_duplicate(a, b):
    result = compare(Registration(a, "DE"), Registration(b, "DE"))

    assert result.verdict == "duplicate", (result.score, result.reasons)


@pytest.mark.parametrize(("a", "b"), [
    ("Alpha Beta GmbH", "Alpha Gamma GmbH"),
    ("Zenit Logistik GmbH", "Orbita Logistik GmbH"),
    ("PT Sinar Mas Abadi", "PT Sinar Jaya Abadi Makmur Sentosa"),
])
def test_look_alike_companies_are_not_duplicates(a, b):
    assert compare(Registration(a, "DE"), Registration(b, "DE")).verdict != "duplicate"


def test_same_name_in_another_line_of_business_is_another_company():
    result = compare(Registration("Nordwind Logistik GmbH", "DE"), Registration("Nordwind Systemhaus GmbH", "DE"))

    assert result.verdict != "duplicate"
    assert "generic_words" in [r.field for r in result.reasons]


def test_a_name_with_an_extra_distinctive_word_is_not_silently_the_same():
    result = compare(Registration("Siemens AG", "DE"), Registration("Siemens Healthineers AG", "DE"))

    assert result.verdict == "" and "name_words" in [r.field for r in result.reasons]


def test_domain_and_tax_id_match_whatever_the_name():
    by_domain = compare(Registration("Acme", "US", web_domain="https://www.acme.com/contact"),
                        Registration("Totally Different Corp", "US", web_domain="acme.com"))
    by_tax = compare(Registration("Acme", "DE", tax_id="DE 136 695 976"),
                     Registration("Other", "DE", tax_id="136695976"))

    assert by_domain.verdict == "duplicate" and by_domain.reasons[0].field == "web_domain"
    assert by_tax.verdict == "duplicate" and by_tax.reasons[0].field == "tax_id"


def test_free_mail_domains_prove_nothing():
    result = compare(Registration("Acme", "US", web_domain="gmail.com"),
                     Registration("Zebra Holdings", "US", web_domain="gmail.com"))

    assert result.verdict == ""


def test_no_shared_product_or_a_distant_time_lowers_the_score():
    base = Registration("Romashka", "RU", product_ids=frozenset({1, 2}), expected_close=datetime.date(2026, 1, 1))
    same = compare(base, Registration("Ромашка", "RU", product_ids=frozenset({2}),
                                      expected_close=datetime.date(2026, 2, 1)))
    other_products = compare(base, Registration("Ромашка", "RU", product_ids=frozenset({3})))
    years_apart = compare(base, Registration("Ромашка", "RU", expected_close=datetime.date(2029, 1, 1)))

    assert same.verdict == "duplicate"
    assert other_products.score < same.score and other_products.verdict != "duplicate"
    assert years_apart.score < same.score and "time_window" in [r.field for r in years_apart.reasons]


def test_normalisation_removes_legal_forms_in_every_language():
    for raw in ("ООО Вектор", "АО «Вектор»", "ПАО Вектор", "ИП Вектор", "Vektor GmbH", "Vektor AG", "Vektor LLC",
                "Vektor Sp. z o.o.", "Vektor S.A.", "PT Vektor Tbk", "CV Vektor", "Vektor Inc."):
        assert normalise(raw).tokens == ("vektor",), raw


def test_transliteration_and_phonetic_skeleton():
    assert transliterate("Щука Жёлтая") == "Shchuka Zheltaya"
    assert skeleton("romashka") == skeleton("romaschka") == skeleton("romaszka")
    assert skeleton("kuznetsov") == skeleton("kusnezow") == skeleton("kuznecow")
    assert skeleton("medtekhnika") == skeleton("medtechnika")


def test_one_typo_keeps_a_blocking_key_in_common():
    right = key_texts(Registration("Kowalczyk Budownictwo"))
    typo = key_texts(Registration("Kowalcyzk Budownictwo"))

    assert right & typo


@pytest.mark.django_db
def test_rare_keys_are_read_first_so_a_common_word_cannot_hide_the_duplicate(partner_user_a, monkeypatch):
    from accord.sales import matching
    from accord.sales.models import Deal, MatchKeyFrequency
    from tests.sales.factories import register

    for word in ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett",
                 "Kilo", "Lima"):
        register(partner_user_a, company_name=f"{word} Maschinenbau", company_country="DE")
    original = register(partner_user_a, company_name="Bergmann Maschinenbau GmbH", company_country="DE")
    monkeypatch.setattr(matching, "POSTINGS_BUDGET", 8)

    found = matching.find_conflicts(Deal(company_name="Bergman Maschinenbau", company_country="DE",
                                         expected_close_date=None), product_ids=[])

    assert found and found[0].deal_id == original.pk
    assert MatchKeyFrequency.objects.get(key=matching._hash("t:maschinenbau")).deals == 13
