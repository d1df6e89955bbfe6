import datetime
from decimal import Decimal

from accord.commerce.pricing import PriceRule, net_price, round_money

TODAY = datetime.date(2026, 6, 1)


def rule(scope="tier", *, product_id=1, category_id=None, min_quantity=1, net=None, discount=None, priority=0,
         valid_from=datetime.date(2026, 1, 1), valid_to=None, name=None):
    return PriceRule(price_list_id=hash((scope, name)) % 1000, price_list_name=name or f"{scope} list", scope=scope,
                     priority=priority, valid_from=valid_from, valid_to=valid_to, product_id=product_id,
                     category_id=category_id, min_quantity=min_quantity,
                     net_price=None if net is None else Decimal(net),
                     discount_percent=None if discount is None else Decimal(discount))


def price(rules, *, quantity=1, list_price="100.00", currency="EUR"):
    return net_price(product_id=1, category_ids=(7, 3), quantity=quantity, currency=currency, on=TODAY,
                     list_price=None if list_price is None else Decimal(list_price), rules=rules)


def test_without_rules_the_partner_pays_the_list_price_and_is_told_so():
    result = price([])

    assert result.unit_price == Decimal("100.00")
    assert result.rule is None
    assert "List price" in result.explain()


def test_partner_terms_override_tier_terms_even_when_the_tier_is_cheaper():
    result = price([rule("tier", discount=30), rule("partner", discount=10, name="Nordwind 2026")])

    assert result.unit_price == Decimal("90.00")
    assert result.explain() == "Your price list “Nordwind 2026”: 10% off the list price for this product."


def test_the_largest_quantity_break_reached_applies():
    rules = [rule(discount=5), rule(discount=10, min_quantity=10), rule(discount=15, min_quantity=50)]

    assert price(rules, quantity=9).unit_price == Decimal("95.00")
    assert price(rules, quantity=10).unit_price == Decimal("90.00")
    assert "from 50 units" in price(rules, quantity=60).explain()


def test_a_product_rule_beats_a_category_rule_of_the_same_scope():
    rules = [rule(product_id=None, category_id=3, discount=20), rule(net="85.00")]

    assert price(rules).unit_price == Decimal("85.00")


def test_category_rules_apply_to_products_in_subcategories():
    assert price([rule(product_id=None, category_id=3, discount=20)]).unit_price == Decimal("80.00")
    assert price([rule(product_id=None, category_id=99, discount=20)]).unit_price == Decimal("100.00")


def test_rules_outside_their_validity_are_ignored():
    expired = rule(discount=50, valid_to=datetime.date(2026, 5, 31))
    future = rule(discount=40, valid_from=datetime.date(2026, 6, 2))

    assert price([expired, future]).unit_price == Decimal("100.00")


def test_a_net_price_needs_no_list_price_but_a_discount_does():
    assert price([rule(net="42.50")], list_price=None).unit_price == Decimal("42.50")
    assert price([rule(discount=10)], list_price=None) is None


def test_prices_round_half_up_to_the_currency_digits():
    assert price([rule(discount="33.333")], list_price="10").unit_price == Decimal("6.67")
    assert round_money(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert round_money(Decimal("1.2345"), "KWD") == Decimal("1.235")
