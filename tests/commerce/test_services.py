import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accord.automation.models import Event
from accord.commerce import selectors, services
from accord.commerce.models import (
    Invoice,
    ListPrice,
    Order,
    Payment,
    PriceList,
    Product,
    Reservation,
    StockLevel,
)
from tests.commerce.factories import ProductFactory, incoming, open_invoice, priced_product, stock_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def events(kind):
    return list(Event.objects.filter(type=kind))


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- bad input: field-level errors, nothing saved ---

@pytest.mark.parametrize("quantity", ["-1", "0", "1.5", "abc"])
def test_cart_refuses_negative_zero_fractional_and_non_numeric_quantities(partner_user_a, product, quantity):
    with pytest.raises(ValidationError) as excinfo:
        services.cart_set_quantity(user=partner_user_a, product=product, quantity=quantity, add=True)

    assert "quantity" in errors_of(excinfo)
    assert not selectors.cart_for(partner_user_a) or not selectors.cart_for(partner_user_a).line_list


def test_a_product_without_a_price_in_the_partners_currency_is_a_currency_error(partner_user_a):
    product = ProductFactory()
    services.list_price_set(actor=None, product=product, currency="USD", amount="10")

    with pytest.raises(ValidationError) as excinfo:
        services.cart_set_quantity(user=partner_user_a, product=product, quantity=1, add=True)

    assert "EUR" in errors_of(excinfo)["product"][0]


def test_arrival_dates_in_the_past_are_refused(warehouse, product):
    with pytest.raises(ValidationError) as excinfo:
        services.delivery_plan(actor=None, reference="IN-1", warehouse=warehouse,
                               expected_on=TODAY() - datetime.timedelta(days=1), lines={product: 5})

    assert "expected_on" in errors_of(excinfo)
    delivery = incoming(product, 5)
    with pytest.raises(ValidationError):
        services.delivery_reschedule(actor=None, delivery=delivery, expected_on=TODAY() - datetime.timedelta(days=2))
    delivery.refresh_from_db()
    assert delivery.expected_on > TODAY() and not delivery.date_changes.exists()


def test_a_payment_larger_than_the_open_amount_is_refused_and_changes_nothing(partner_a):
    invoice = open_invoice(partner_a, "100.00")

    with pytest.raises(ValidationError) as excinfo:
        services.payment_record(actor=None, invoice=invoice, amount="100.01")

    assert "open amount of 100.00 EUR" in errors_of(excinfo)["amount"][0]
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("100.00") and not Payment.objects.exists()


def test_a_payment_in_another_currency_is_refused(partner_a):
    invoice = open_invoice(partner_a, "100.00")

    with pytest.raises(ValidationError) as excinfo:
        services.payment_record(actor=None, invoice=invoice, amount="10", currency="USD")

    assert "currency" in errors_of(excinfo)


def test_overlapping_list_price_periods_are_refused():
    product = ProductFactory()
    services.list_price_set(actor=None, product=product, currency="EUR", amount="90",
                            valid_from=datetime.date(2030, 1, 1), valid_to=datetime.date(2030, 12, 31))

    with pytest.raises(ValidationError) as excinfo:
        services.list_price_set(actor=None, product=product, currency="EUR", amount="80",
                                valid_from=datetime.date(2030, 6, 1))

    assert "valid_from" in errors_of(excinfo)
    assert ListPrice.objects.filter(product=product, amount=80).count() == 0


def test_overlapping_price_lists_for_the_same_partners_are_refused(partner_a):
    services.price_list_save(actor=None, code="alpha-2026", name="Alpha 2026", currency="EUR", scope="partner",
                             partner=partner_a, valid_from=datetime.date(2026, 1, 1),
                             valid_to=datetime.date(2026, 12, 31))

    with pytest.raises(ValidationError) as excinfo:
        services.price_list_save(actor=None, code="alpha-h2", name="Alpha H2", currency="EUR", scope="partner",
                                 partner=partner_a, valid_from=datetime.date(2026, 7, 1))

    assert "Alpha 2026" in errors_of(excinfo)["valid_from"][0]
    assert PriceList.objects.count() == 1
    # a higher priority list may overlap: it is meant to win
    services.price_list_save(actor=None, code="alpha-promo", name="Promo", currency="EUR", scope="partner",
                             partner=partner_a, valid_from=datetime.date(2026, 7, 1), priority=5)


def test_unknown_currency_is_named():
    with pytest.raises(ValidationError) as excinfo:
        services.clean_currency("EUX")
    assert "EUX" in errors_of(excinfo)["currency"][0]


# --- cart, quote, order, credit limit ---

def test_cart_to_quote_to_order_prices_at_partner_terms_and_emits_order_placed(partner_user_a, product):
    partner = partner_user_a.partner
    price_list, _created = services.price_list_save(actor=None, code="silver", name="Silver 2026", currency="EUR",
                                                    scope="tier", tier=partner.tier,
                                                    valid_from=datetime.date(2020, 1, 1))
    services.price_list_item_set(price_list=price_list, product=product, min_quantity=5, discount_percent="12")

    cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=6, add=True)
    quote = services.quote_issue(user=partner_user_a, quote=cart)
    order = services.order_place(user=partner_user_a, quote=quote, customer_reference="PO-77")

    line = order.lines.get()
    assert line.unit_price == Decimal("88.00") and order.total == Decimal("528.00")
    assert "Silver 2026" in line.price_rule and "from 5 units" in line.price_rule
    assert order.number.startswith("SO-") and order.status == Order.Status.PLACED
    assert [e.payload["number"] for e in events("order.placed")] == [order.number]
    assert selectors.cart_for(partner_user_a) is None


def test_order_beyond_the_credit_limit_is_refused_with_the_available_credit(partner_user_a, product):
    partner = partner_user_a.partner
    services.partner_account_set(actor=None, partner=partner, credit_limit="500")
    open_invoice(partner, "300.00")
    cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=3, add=True)

    with pytest.raises(ValidationError) as excinfo:
        services.order_place(user=partner_user_a, quote=cart)

    message = errors_of(excinfo)["__all__"][0]
    assert "300.00 EUR exceeds your available credit of 200.00 EUR" in message
    assert not Order.objects.exists()


def test_vendor_rejects_with_a_reason_that_the_partner_sees_in_the_history(partner_user_a, product, vendor_admin):
    cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=1, add=True)
    order = services.order_place(user=partner_user_a, quote=cart)

    with pytest.raises(ValidationError):
        services.order_reject(actor=vendor_admin, order=order, reason="  ")
    services.order_reject(actor=vendor_admin, order=order, reason="Product not sold in your region")

    order = selectors.order_get(partner_user_a, order.pk)
    assert order.status == Order.Status.REJECTED
    assert [h.status for h in order.history.all()] == ["placed", "rejected"]
    assert order.history.last().note == "Product not sold in your region"


def test_shipping_takes_stock_and_invoicing_uses_the_payment_terms(partner_user_a, product, warehouse, vendor_admin):
    services.partner_account_set(actor=None, partner=partner_user_a.partner, credit_limit="10000",
                                 payment_terms_days=45)
    cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=4, add=True)
    order = services.order_place(user=partner_user_a, quote=cart)
    services.order_confirm(actor=vendor_admin, order=order)
    line = order.lines.get()

    services.shipment_create(actor=vendor_admin, order=order, warehouse=warehouse, quantities={line.pk: 3},
                             tracking_number="1Z999")
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_SHIPPED and stock_of(product, warehouse).on_hand == 7
    with pytest.raises(ValidationError):
        services.shipment_create(actor=vendor_admin, order=order, warehouse=warehouse, quantities={line.pk: 2})
    shipment = services.shipment_create(actor=vendor_admin, order=order, warehouse=warehouse, quantities={line.pk: 1})
    services.shipment_deliver(actor=vendor_admin, shipment=order.shipments.first())
    services.shipment_deliver(actor=vendor_admin, shipment=shipment)
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED

    invoice = services.invoice_from_order(actor=vendor_admin, order=order)
    assert invoice.total == Decimal("400.00") and invoice.due_date == invoice.issue_date + datetime.timedelta(days=45)
    assert events("invoice.issued")[0].payload["number"] == invoice.number


# --- payments, credit notes, statement, ageing ---

def test_partial_payments_then_full_payment_move_the_status_and_emit(partner_a):
    invoice = open_invoice(partner_a, "250.00")

    services.payment_record(actor=None, invoice=invoice, amount="100")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PARTIALLY_PAID and invoice.open_amount == Decimal("150.00")

    services.payment_record(actor=None, invoice=invoice, amount="150.00", reference="BANK-1")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_on == TODAY()
    assert len(events("payment.received")) == 2
    assert len(events("invoice.partially_paid")) == 1 and len(events("invoice.paid")) == 1


def test_credit_note_reduces_the_open_amount_and_shows_on_the_statement(partner_a, partner_admin_a):
    invoice = open_invoice(partner_a, "200.00")

    note = services.credit_note_issue(actor=None, invoice=invoice, amount="50", reason="Damaged unit")
    services.payment_record(actor=None, invoice=invoice, amount="20")

    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("130.00") and note.kind == Invoice.Kind.CREDIT_NOTE
    statement = selectors.statement(partner_admin_a, partner_a, start=TODAY() - datetime.timedelta(days=400))
    assert [(e.kind, e.debit, e.credit) for e in statement.entries] == [
        ("invoice", Decimal("200.00"), 0), ("credit_note", 0, Decimal("50.00")), ("payment", 0, Decimal("20.00"))]
    assert statement.closing_balance == Decimal("130.00") == statement.ageing["total"]


def test_ageing_puts_open_amounts_into_the_right_buckets(partner_a, partner_b):
    for days, total in ((-5, "10"), (0, "11"), (1, "20"), (30, "21"), (31, "30"), (60, "31"), (61, "40"),
                        (90, "41"), (91, "90")):
        open_invoice(partner_a, total, days_overdue=days)
    open_invoice(partner_b, "5")

    rows = {row["partner_id"]: row for row in selectors.ageing()}

    row = rows[partner_a.pk]
    assert (row["current"], row["days_1_30"], row["days_31_60"], row["days_61_90"], row["days_90_plus"]) == (
        Decimal(21), Decimal(41), Decimal(61), Decimal(81), Decimal(90))
    assert row["total"] == Decimal(294) and rows[partner_b.pk]["total"] == Decimal(5)


# --- stock, deliveries, reservations ---

def test_availability_says_now_or_the_earliest_arrival_considering_reservations(partner_a, product):
    incoming(product, 5, days=10)
    incoming(product, 20, days=30, reference="IN-LATE")
    services.reservation_make(actor=partner_a.channel_manager, partner=partner_a, product=product, quantity=8)

    answers = selectors.availability({product.pk: 2})
    assert answers[product.pk].in_stock and answers[product.pk].earliest_date == TODAY()

    answer = selectors.availability({product.pk: 6})[product.pk]
    assert answer.available_now == 2 and answer.earliest_date == TODAY() + datetime.timedelta(days=10)
    assert selectors.availability({product.pk: 8})[product.pk].earliest_date == TODAY() + datetime.timedelta(days=30)
    assert selectors.availability({product.pk: 100})[product.pk].earliest_date is None


def test_reservations_never_exceed_free_stock(partner_a, partner_b, product, warehouse):
    services.reservation_make(actor=partner_a.channel_manager, partner=partner_a, product=product, quantity=7)

    with pytest.raises(ValidationError) as excinfo:
        services.reservation_make(actor=partner_b.channel_manager, partner=partner_b, product=product, quantity=4,
                                  warehouse=warehouse)

    assert "Only 3" in errors_of(excinfo)["quantity"][0]
    assert stock_of(product, warehouse).reserved == 7
    with pytest.raises(ValidationError):
        services.stock_set(actor=None, warehouse=warehouse, product=product, on_hand=6)


def test_reservation_on_an_incoming_delivery_moves_to_stock_on_arrival(partner_a, product, warehouse):
    delivery = incoming(product, 5, days=3)
    line = delivery.lines.get()
    reservation = services.reservation_make(actor=partner_a.channel_manager, partner=partner_a, product=product,
                                            quantity=4, delivery_line=line)
    with pytest.raises(ValidationError):
        services.reservation_make(actor=partner_a.channel_manager, partner=partner_a, product=product, quantity=2,
                                  delivery_line=line)

    services.delivery_receive(actor=None, delivery=delivery)

    reservation.refresh_from_db()
    level = stock_of(product, warehouse)
    assert (level.on_hand, level.reserved) == (15, 4) and reservation.warehouse == warehouse
    assert [e.partner_id for e in events("reservation.goods_arrived")] == [partner_a.pk]
    assert events("stock.arrived")[0].payload["days_late"] == -3


def test_rescheduling_keeps_history_and_statistics_measure_punctuality(product):
    delivery = incoming(product, 5, days=3)
    services.delivery_reschedule(actor=None, delivery=delivery, expected_on=TODAY() + datetime.timedelta(days=9),
                                 reason="Port congestion")

    assert [(c.previous_date, c.new_date) for c in delivery.date_changes.all()] == [
        (TODAY() + datetime.timedelta(days=3), TODAY() + datetime.timedelta(days=9))]
    assert events("delivery.date_changed")[0].payload["days_moved"] == 6
    delivery.first_expected_on = TODAY() - datetime.timedelta(days=2)
    delivery.ordered_on = TODAY() - datetime.timedelta(days=20)
    delivery.save()
    services.delivery_receive(actor=None, delivery=delivery)
    stats = selectors.delivery_statistics()
    assert stats["arrived"] == 1 and stats["on_time_rate"] == 0 and stats["average_lead_days"] == 20


def test_expired_reservations_give_their_stock_back_once(partner_a, product, warehouse):
    reservation = services.reservation_make(actor=partner_a.channel_manager, partner=partner_a, product=product,
                                            quantity=5)
    Reservation.objects.filter(pk=reservation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert services.reservations_expire() == 1
    assert services.reservations_expire() == 0
    assert stock_of(product, warehouse).reserved == 0
    assert len(events("reservation.expired")) == 1


def test_the_workers_engine_sweep_expires_reservations_without_anyone_reserving_again(partner_a, product,
                                                                                     warehouse):
    from accord.automation import engine

    reservation = services.reservation_make(actor=partner_a.channel_manager, partner=partner_a, product=product,
                                            quantity=5)
    Reservation.objects.filter(pk=reservation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    outcome = engine.sweep()

    assert outcome["commerce.expire_reservations"] == 1
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.EXPIRED
    assert stock_of(product, warehouse).reserved == 0


def test_an_order_consumes_the_partners_reservation_and_shipping_releases_it(partner_user_a, product, warehouse,
                                                                             vendor_admin):
    services.reservation_make(actor=partner_user_a, product=product, quantity=3)
    cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=3, add=True)
    order = services.order_place(user=partner_user_a, quote=cart)
    assert Reservation.objects.get().status == Reservation.Status.CONSUMED
    services.order_confirm(actor=vendor_admin, order=order)

    services.shipment_create(actor=vendor_admin, order=order, warehouse=warehouse,
                             quantities={order.lines.get().pk: 3})

    level = stock_of(product, warehouse)
    assert (level.on_hand, level.reserved) == (7, 0)


def test_a_rejected_order_releases_what_its_reservations_held(partner_user_a, product, warehouse, vendor_admin):
    services.reservation_make(actor=partner_user_a, product=product, quantity=3)
    cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=3, add=True)
    order = services.order_place(user=partner_user_a, quote=cart)

    services.order_reject(actor=vendor_admin, order=order, reason="Duplicate")

    assert stock_of(product, warehouse).reserved == 0


def test_end_of_life_products_cannot_be_ordered(partner_user_a):
    product = priced_product(lifecycle=Product.Lifecycle.END_OF_LIFE)

    with pytest.raises(ValidationError) as excinfo:
        services.cart_set_quantity(user=partner_user_a, product=product, quantity=1, add=True)
    assert "end of life" in errors_of(excinfo)["product"][0]


def test_a_partner_user_cannot_reserve_for_another_partner(partner_user_a, partner_b, product):
    with pytest.raises(ValidationError):
        services.reservation_make(actor=partner_user_a, partner=partner_b, product=product, quantity=1)
    assert not StockLevel.objects.filter(reserved__gt=0).exists()


def test_notice_publication_emits_and_mails_subscribers(partner_user_a, product):
    from django.core import mail

    from accord.commerce.models import ProductNotice
    from accord.commerce.tasks import notify_notice_subscribers

    services.notice_subscribe(user=partner_user_a, product=product)
    notice = ProductNotice.objects.create(product=product, title="PoE drops after firmware 2.1",
                                          body="Ports 1-4 lose PoE.", affected_versions="2.1.0-2.1.3")
    services.product_notice_publish(actor=None, notice=notice)
    notify_notice_subscribers.call(notice_id=notice.pk)

    assert events("product_notice.published")[0].payload["title"] == notice.title
    assert mail.outbox[-1].to == [partner_user_a.email] and "SW-24" in mail.outbox[-1].subject


def test_an_expired_hold_is_released_when_someone_else_reserves_the_product(partner_a, partner_b, product,
                                                                            warehouse):
    old = services.reservation_make(actor=None, partner=partner_a, product=product, quantity=10)
    Reservation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    services.reservation_make(actor=None, partner=partner_b, product=product, quantity=10)

    old.refresh_from_db()
    assert old.status == Reservation.Status.EXPIRED and stock_of(product, warehouse).reserved == 10


def test_a_partner_price_list_sets_the_order_terms_over_the_account(partner_user_a, product):
    partner = partner_user_a.partner
    services.partner_account_set(actor=None, partner=partner, credit_limit="5000", payment_terms_days=30,
                                 delivery_terms="FCA Hamburg")
    services.price_list_save(actor=None, code="alpha-project", name="Project", currency="EUR", scope="partner",
                             partner=partner, valid_from=datetime.date(2020, 1, 1), payment_terms_days=60)
    cart = services.cart_set_quantity(user=partner_user_a, product=product, quantity=1, add=True)

    order = services.order_place(user=partner_user_a, quote=cart)

    assert (order.payment_terms_days, order.delivery_terms) == (60, "FCA Hamburg")
