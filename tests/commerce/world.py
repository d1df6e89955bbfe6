"""Commerce objects a partner's people can see, for the isolation walker (tests/test_isolation.py)."""

import datetime

from django.utils import timezone

from accord.commerce import services
from accord.commerce.models import Order, ProductNotice, Warehouse
from accord.partners.models import Partner
from tests.commerce.factories import ProductFactory


def populate(partner: Partner) -> dict:
    """One cart, quote, order, invoice, payment and reservation of `partner`; products are shared by all."""
    tag = f"cm{partner.pk}q"
    warehouse, _created = Warehouse.objects.get_or_create(code="walker", defaults={"name": "Walker DC",
                                                                                   "country": "DE"})
    product = ProductFactory(sku=f"SKU-{tag}", name=f"Product {tag}")
    services.list_price_set(actor=None, product=product, currency=partner.currency, amount="100")
    services.stock_set(actor=None, warehouse=warehouse, product=product, on_hand=50)
    delivery = services.delivery_plan(actor=None, reference=f"IN-{tag}", warehouse=warehouse,
                                      expected_on=timezone.localdate() + datetime.timedelta(days=9),
                                      lines={product: 20})
    notice = ProductNotice.objects.create(product=product, title=f"Notice {tag}", body="Shared with every partner")
    services.product_notice_publish(actor=None, notice=notice)
    user = partner.channel_manager
    reservation = services.reservation_make(actor=user, partner=partner, product=product, quantity=2,
                                            note=f"Reservation note {tag}")
    cart = _as_partner_cart(partner, product, 3)
    quote = services.quote_issue(user=None, quote=cart)
    cart = _as_partner_cart(partner, product, 1)
    order = services.order_place(user=None, quote=cart, customer_reference=f"PO-{tag}")
    order = Order.objects.get(pk=order.pk)
    invoice = services.invoice_issue(actor=None, partner=partner, currency=partner.currency, number=f"INV-{tag}",
                                     lines=[{"description": f"Line {tag}", "quantity": 1, "unit_price": "250"}])
    payment = services.payment_record(actor=None, invoice=invoice, amount="50", reference=f"PAY-{tag}")
    return {
        "order_id": order.pk, "quote_id": quote.pk, "invoice_id": invoice.pk, "reservation_id": reservation.pk,
        "payment_id": payment.pk,
        "shared": {"product_id": product.pk, "notice_id": notice.pk, "delivery_id": delivery.pk,
                   "delivery_line_id": delivery.lines.get().pk},
        "markers": [order.number, f"PO-{tag}", quote.number, f"INV-{tag}", f"PAY-{tag}", f"Reservation note {tag}",
                    f"Line {tag}"],
    }


def _as_partner_cart(partner: Partner, product, quantity: int):
    """Fill the partner's cart as vendor staff would for it (the world has no partner login at hand)."""
    from accord.commerce.models import Quote, QuoteLine

    cart = Quote.objects.create(partner=partner, status=Quote.Status.CART, currency=partner.currency)
    QuoteLine.objects.create(quote=cart, product=product, quantity=quantity)
    return cart
