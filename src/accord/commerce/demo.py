"""Demo data for commerce: a networking catalog, prices, stock, arrivals, orders, invoices and payments.

Idempotent: every record is looked up by a natural key (SKU, code, reference, invoice number, external
ID) before it is created. Dates are relative to today, so there is always something overdue, something
due this week and something arriving soon. Everything goes through the services, like real use.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accord.commerce import services
from accord.commerce.models import (
    InboundDelivery,
    Invoice,
    Order,
    Payment,
    PriceList,
    Product,
    ProductNotice,
    ProductTranslation,
    Reservation,
    Warehouse,
)
from accord.partners.models import Partner, Tier, User

CATEGORIES = [("networking", "Networking", None), ("switches", "Switches", "networking"),
              ("routers", "Routers", "networking"), ("wireless", "Wireless", "networking"),
              ("security", "Security appliances", None), ("accessories", "Accessories", None)]

# sku, name, category, EUR list price, lifecycle, description, {language: name}
PRODUCTS = [
    ("SW-24G", "Switch 24 × 1 GbE PoE+", "switches", "489.00", "available",
     "Managed layer-2 switch with 24 PoE+ ports (370 W budget) and 4 SFP+ uplinks.",
     {"ru": "Коммутатор 24 × 1 GbE PoE+", "pl": "Przełącznik 24 × 1 GbE PoE+", "id": "Switch 24 × 1 GbE PoE+"}),
    ("SW-48G", "Switch 48 × 1 GbE PoE+", "switches", "879.00", "available",
     "Managed layer-2 switch with 48 PoE+ ports (740 W budget) and 4 SFP+ uplinks.",
     {"ru": "Коммутатор 48 × 1 GbE PoE+", "pl": "Przełącznik 48 × 1 GbE PoE+"}),
    ("SW-24X", "Switch 24 × 10 GbE SFP+", "switches", "2190.00", "available",
     "Layer-3 aggregation switch with 24 SFP+ ports and 2 × 100 GbE QSFP28.", {}),
    ("SW-8M", "Switch 8 × 2.5 GbE", "switches", "219.00", "end_of_life",
     "Compact desktop switch; replaced by SW-8M2.", {}),
    ("RT-200", "Branch router 200", "routers", "649.00", "available",
     "Branch router with SD-WAN, 2 WAN ports and LTE backup.",
     {"ru": "Маршрутизатор для филиалов 200", "pl": "Router oddziałowy 200", "id": "Router cabang 200"}),
    ("RT-900", "Edge router 900", "routers", "3490.00", "available",
     "Edge router with 8 × 10 GbE, BGP and redundant power supplies.", {}),
    ("AP-6E", "Access point Wi-Fi 6E", "wireless", "329.00", "available",
     "Tri-band Wi-Fi 6E access point for ceilings, PoE powered.",
     {"ru": "Точка доступа Wi-Fi 6E", "pl": "Punkt dostępowy Wi-Fi 6E", "id": "Titik akses Wi-Fi 6E"}),
    ("AP-7", "Access point Wi-Fi 7", "wireless", "459.00", "announced",
     "Wi-Fi 7 access point with 320 MHz channels. Shipping from the release date.", {}),
    ("AP-OUT", "Outdoor access point", "wireless", "549.00", "available",
     "IP67 outdoor access point for campuses and warehouses.", {}),
    ("FW-100", "Firewall 100", "security", "899.00", "available",
     "Next-generation firewall for branches, 2 Gbit/s threat protection.",
     {"ru": "Межсетевой экран 100", "pl": "Zapora sieciowa 100", "id": "Firewall 100"}),
    ("FW-500", "Firewall 500", "security", "4290.00", "available",
     "Data-centre firewall, 20 Gbit/s threat protection, high availability pair ready.", {}),
    ("SFP-10G-SR", "SFP+ transceiver 10G SR", "accessories", "39.00", "available",
     "10GBASE-SR multimode transceiver, 300 m.", {}),
    ("PSU-370", "Spare power supply 370 W", "accessories", "149.00", "available",
     "Hot-swap power supply for SW-24G and SW-48G.", {}),
    ("RACK-KIT", "Rack mounting kit", "accessories", "29.00", "available", "19-inch mounting ears and screws.", {}),
]

# How many units of a currency one euro buys, for demo list prices only.
RATES = {"EUR": Decimal(1), "USD": Decimal("1.08"), "PLN": Decimal("4.30"), "RUB": Decimal("98"),
         "IDR": Decimal("17000"), "GBP": Decimal("0.85")}

WAREHOUSES = [("ham", "Hamburg central warehouse", "DE", "Hamburg"), ("waw", "Warsaw hub", "PL", "Warszawa"),
              ("jkt", "Jakarta hub", "ID", "Jakarta")]

# sku -> {warehouse: on hand}
STOCK = {"SW-24G": {"ham": 40, "waw": 12}, "SW-48G": {"ham": 3}, "SW-24X": {"ham": 6}, "SW-8M": {"ham": 2},
         "RT-200": {"ham": 25, "waw": 8, "jkt": 10}, "RT-900": {"ham": 0}, "AP-6E": {"ham": 120, "waw": 40, "jkt": 35},
         "AP-OUT": {"waw": 4}, "FW-100": {"ham": 15, "jkt": 2}, "FW-500": {"ham": 1}, "SFP-10G-SR": {"ham": 600},
         "PSU-370": {"ham": 30}, "RACK-KIT": {"ham": 250, "waw": 80}}

# reference, warehouse, supplier, days from today, {sku: quantity}
DELIVERIES = [
    ("PO-88410", "ham", "Shenzhen Netgear Works", 3, {"SW-48G": 60, "RT-900": 10}),
    ("PO-88422", "ham", "Shenzhen Netgear Works", 9, {"FW-500": 8, "SW-24X": 20}),
    ("PO-88431", "waw", "Taipei Wireless Co.", 14, {"AP-OUT": 50, "AP-6E": 200}),
    ("PO-88450", "ham", "Taipei Wireless Co.", 35, {"AP-7": 300}),
    ("PO-88466", "jkt", "Shenzhen Netgear Works", 21, {"FW-100": 40, "RT-200": 30}),
]
# reference, warehouse, supplier, ordered days ago, promised days ago, arrived days ago, {sku: quantity}
ARRIVED = [
    ("PO-87901", "ham", "Shenzhen Netgear Works", 60, 30, 28, {"SW-24G": 80}),
    ("PO-87912", "waw", "Taipei Wireless Co.", 55, 25, 25, {"AP-6E": 150}),
    ("PO-87930", "ham", "Shenzhen Netgear Works", 50, 20, 12, {"FW-100": 30}),
    ("PO-87944", "jkt", "Taipei Wireless Co.", 40, 15, 16, {"RT-200": 20}),
]

ACCOUNTS = {  # partner domain -> credit limit in its currency, payment terms days, delivery terms
    "nordwind-systemhaus.de": ("60000", 30, "DAP Hamburg"),
    "romashka-tech.ru": ("2500000", 14, "FCA Hamburg"),
    "wisla-integracje.pl": ("400000", 45, "DAP Kraków"),
    "nusantara-solusi.co.id": ("150000000", 30, "CIF Jakarta"),
    "lakeside-networks.com": ("50000", 30, "FCA Hamburg"),
}


def seed() -> None:
    today = timezone.localdate()
    admin = User.objects.filter(email="admin@accord.example").first()
    categories = {}
    for code, name, parent in CATEGORIES:
        categories[code] = services.category_save(code=code, name=name, parent=categories.get(parent))
    products = {}
    for sku, name, category, price, lifecycle, description, names in PRODUCTS:
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            product, _created = services.product_save(
                actor=admin, sku=sku, name=name, description=description, category=categories[category],
                lifecycle=lifecycle, release_date=today + datetime.timedelta(days=35) if lifecycle == "announced"
                else datetime.date(2025, 3, 1),
                end_of_life_date=datetime.date(2026, 6, 30) if lifecycle == "end_of_life" else None)
            for currency, rate in RATES.items():
                services.list_price_set(actor=admin, product=product, currency=currency, amount=Decimal(price) * rate)
            for language, translated in names.items():
                ProductTranslation.objects.create(product=product, language=language, name=translated)
        products[sku] = product
    warehouses = {code: Warehouse.objects.get_or_create(code=code, defaults={"name": name, "country": country,
                                                                             "city": city})[0]
                  for code, name, country, city in WAREHOUSES}
    for sku, levels in STOCK.items():
        for code, on_hand in levels.items():
            if not products[sku].stock_levels.filter(warehouse=warehouses[code]).exists():
                services.stock_set(actor=admin, warehouse=warehouses[code], product=products[sku], on_hand=on_hand)
    _deliveries(today, warehouses, products, admin)
    _prices(today, categories, products, admin)
    _notices(products, admin)
    partners = {p.web_domain: p for p in Partner.objects.filter(web_domain__in=list(ACCOUNTS))}
    for domain, (limit, days, terms) in ACCOUNTS.items():
        if domain in partners and not hasattr(partners[domain], "commerce_account"):
            services.partner_account_set(actor=admin, partner=partners[domain], credit_limit=limit,
                                         payment_terms_days=days, delivery_terms=terms)
    if "nordwind-systemhaus.de" in partners:
        _orders(today, partners, products, warehouses, admin)
    _invoices(today, partners, admin)


def _deliveries(today, warehouses, products, admin) -> None:
    for reference, code, supplier, days, lines in DELIVERIES:
        if InboundDelivery.objects.filter(reference=reference).exists():
            continue
        delivery = services.delivery_plan(actor=admin, reference=reference, warehouse=warehouses[code],
                                          supplier=supplier, expected_on=today + datetime.timedelta(days=days),
                                          lines={products[sku]: qty for sku, qty in lines.items()})
        if reference == "PO-88422":  # the supplier has already moved this one once
            delivery.first_expected_on = today + datetime.timedelta(days=4)
            delivery.save(update_fields=["first_expected_on"])
            delivery.date_changes.create(previous_date=delivery.first_expected_on, new_date=delivery.expected_on,
                                         reason="Supplier production delay", changed_by=admin)
    for reference, code, supplier, ordered, promised, arrived, lines in ARRIVED:
        if InboundDelivery.objects.filter(reference=reference).exists():
            continue
        # History: planned and booked in before today, so it is written as it would have been then.
        delivery = InboundDelivery.objects.create(
            reference=reference, warehouse=warehouses[code], supplier=supplier,
            status=InboundDelivery.Status.ARRIVED, ordered_on=today - datetime.timedelta(days=ordered),
            expected_on=today - datetime.timedelta(days=arrived),
            first_expected_on=today - datetime.timedelta(days=promised),
            arrived_on=today - datetime.timedelta(days=arrived))
        for sku, quantity in lines.items():
            delivery.lines.create(product=products[sku], quantity=quantity, received_quantity=quantity)


def _prices(today, categories, products, admin) -> None:
    start = today.replace(month=1, day=1)
    tiers = {t.code: t for t in Tier.objects.all()}
    for code, percent in (("silver", "5"), ("gold", "10"), ("platinum", "15")):
        if code not in tiers:
            continue
        for currency in RATES:
            list_code = f"tier-{code}-{currency.lower()}"
            if PriceList.objects.filter(code=list_code).exists():
                continue
            price_list, _created = services.price_list_save(
                actor=admin, code=list_code, name=f"{tiers[code].name} {today.year} ({currency})", currency=currency,
                scope="tier", tier=tiers[code], valid_from=start, valid_to=start.replace(month=12, day=31))
            for category in ("networking", "security"):
                services.price_list_item_set(price_list=price_list, category=categories[category],
                                             discount_percent=percent)
                services.price_list_item_set(price_list=price_list, category=categories[category], min_quantity=20,
                                             discount_percent=Decimal(percent) + 5)
            services.price_list_item_set(price_list=price_list, category=categories["accessories"],
                                         min_quantity=100, discount_percent="20")
    nordwind = Partner.objects.filter(web_domain="nordwind-systemhaus.de").first()
    if nordwind and not PriceList.objects.filter(code="nordwind-project-hafencity").exists():
        price_list, _created = services.price_list_save(
            actor=admin, code="nordwind-project-hafencity", name="Nordwind project HafenCity", currency="EUR",
            scope="partner", partner=nordwind, valid_from=start, valid_to=today + datetime.timedelta(days=120),
            payment_terms_days=45, delivery_terms="DAP Hamburg")
        services.price_list_item_set(price_list=price_list, product=products["AP-6E"], net_price="249.00")
        services.price_list_item_set(price_list=price_list, product=products["AP-6E"], min_quantity=100,
                                     net_price="229.00")
        services.price_list_item_set(price_list=price_list, product=products["SW-24G"], discount_percent="22")


def _notices(products, admin) -> None:
    notices = [
        ("SW-24G", "PoE ports 1–4 stop powering devices after firmware 3.2.1", ProductNotice.Kind.KNOWN_ISSUE,
         ProductNotice.Severity.HIGH, "3.2.0 – 3.2.1", "3.2.2",
         "Under sustained load above 300 W, ports 1–4 may stop delivering PoE until the switch restarts.",
         "Limit the PoE budget to 300 W (poe budget 300) or downgrade to 3.1.9."),
        ("AP-6E", "6 GHz band unavailable in Indonesia until regulatory update", ProductNotice.Kind.ADVISORY,
         ProductNotice.Severity.MEDIUM, "all", "",
         "The 6 GHz radio is disabled for the ID country code until the regulator publishes the band plan.",
         "Deploy in dual-band mode; the radio enables itself after the update."),
        ("FW-100", "VPN tunnels drop after 24 h with some IKEv2 peers", ProductNotice.Kind.DEFECT,
         ProductNotice.Severity.MEDIUM, "7.0 – 7.0.4", "7.0.5",
         "Rekeying with peers that use a 86400 s lifetime fails and the tunnel drops for about 30 seconds.",
         "Set the IKE SA lifetime to 28800 s on both ends."),
    ]
    for sku, title, kind, severity, versions, fixed, body, workaround in notices:
        if ProductNotice.objects.filter(title=title).exists():
            continue
        notice = ProductNotice.objects.create(product=products[sku], title=title, kind=kind, severity=severity,
                                              affected_versions=versions, fixed_in=fixed, body=body,
                                              workaround=workaround)
        services.product_notice_publish(actor=admin, notice=notice)
    anna = User.objects.filter(email="anna.schmidt@nordwind-systemhaus.de").first()
    if anna:
        services.notice_subscribe(user=anna, product=products["SW-24G"])


def _order(user, items, products, reference) -> Order | None:
    if Order.objects.filter(external_id=f"demo-{reference}").exists():
        return None
    for sku, quantity in items.items():
        services.cart_set_quantity(user=user, product=products[sku], quantity=quantity, add=True)
    cart = user.partner.quotes.get(status="cart")
    order = services.order_place(user=user, quote=cart, customer_reference=reference)
    order.external_id = f"demo-{reference}"
    order.save(update_fields=["external_id"])
    return order


def _orders(today, partners, products, warehouses, admin) -> None:
    people = {u.partner_id: u for u in User.objects.filter(partner__in=partners.values(), groups__name="partner_admin")}
    anna = people.get(partners["nordwind-systemhaus.de"].pk)
    cam = User.objects.filter(email="cam@accord.example").first() or admin
    if anna is None:
        return
    delivered = _order(anna, {"SW-24G": 10, "AP-6E": 40, "RACK-KIT": 10}, products, "NW-2026-0412")
    if delivered:
        services.order_confirm(actor=cam, order=delivered)
        shipment = services.shipment_create(actor=cam, order=delivered, warehouse=warehouses["ham"],
                                            quantities={line.pk: line.quantity for line in delivered.lines.all()},
                                            carrier="DHL Freight", tracking_number="JJD0001234567")
        services.shipment_deliver(actor=cam, shipment=shipment)
        services.invoice_from_order(actor=cam, order=delivered, issue_date=today - datetime.timedelta(days=20))
    partly = _order(anna, {"SW-48G": 8, "FW-100": 2}, products, "NW-2026-0431")
    if partly:
        services.order_confirm(actor=cam, order=partly)
        line = partly.lines.get(product=products["FW-100"])
        services.shipment_create(actor=cam, order=partly, warehouse=warehouses["ham"], quantities={line.pk: 2},
                                 carrier="DHL Express", tracking_number="1234567890",
                                 tracking_url="https://www.dhl.com/track?id=1234567890")
    if not Reservation.objects.filter(partner=anna.partner).exists():
        services.reservation_make(actor=anna, product=products["RT-200"], quantity=5, note="Hospital project")
        line = InboundDelivery.objects.get(reference="PO-88410").lines.get(product=products["RT-900"])
        services.reservation_make(actor=anna, product=products["RT-900"], quantity=4, delivery_line=line,
                                  note="Port authority tender")
    _order(anna, {"AP-6E": 120, "SW-24G": 6}, products, "NW-2026-0457")
    for domain, items, reference in (("wisla-integracje.pl", {"FW-500": 1, "SW-24X": 4}, "WI/2026/118"),
                                     ("lakeside-networks.com", {"AP-OUT": 3, "RT-200": 2}, "LN-7781"),
                                     ("romashka-tech.ru", {"SW-24G": 2}, "РТ-0091")):
        person = people.get(partners[domain].pk) if domain in partners else None
        if person is not None:
            _order(person, items, products, reference)
    rejected = _order(anna, {"RT-200": 5}, products, "NW-2026-0398")
    if rejected:
        services.order_reject(actor=cam, order=rejected,
                              reason="Duplicate of NW-2026-0412; the routers ship with that order.")


def _invoices(today, partners, admin) -> None:
    # partner domain, number, issued days ago, due in days (negative: overdue), amount, paid
    rows = [
        ("nordwind-systemhaus.de", "INV-2026-D0101", 75, -45, "12480.00", "4000.00"),
        ("nordwind-systemhaus.de", "INV-2026-D0102", 40, -10, "3650.00", "0"),
        ("nordwind-systemhaus.de", "INV-2026-D0103", 25, 5, "8910.00", "0"),
        ("nordwind-systemhaus.de", "INV-2026-D0104", 60, -30, "1290.00", "1290.00"),
        ("romashka-tech.ru", "INV-2026-D0201", 130, -116, "845000.00", "0"),
        ("romashka-tech.ru", "INV-2026-D0202", 12, 2, "120500.00", "0"),
        ("wisla-integracje.pl", "INV-2026-D0301", 50, -5, "58400.00", "20000.00"),
        ("wisla-integracje.pl", "INV-2026-D0302", 10, 35, "21900.00", "0"),
        ("nusantara-solusi.co.id", "INV-2026-D0401", 95, -65, "48500000", "0"),
        ("nusantara-solusi.co.id", "INV-2026-D0402", 20, 6, "12750000", "0"),
        ("lakeside-networks.com", "INV-2026-D0501", 35, -5, "7420.00", "0"),
        ("lakeside-networks.com", "INV-2026-D0502", 5, 25, "2380.00", "0"),
    ]
    for domain, number, issued, due, amount, paid in rows:
        partner = partners.get(domain)
        if partner is None or Invoice.objects.filter(number=number).exists():
            continue
        invoice = services.invoice_issue(
            actor=admin, partner=partner, currency=partner.currency, number=number,
            issue_date=today - datetime.timedelta(days=issued), due_date=today + datetime.timedelta(days=due),
            lines=[{"description": "Network equipment per delivery note", "quantity": 1, "unit_price": amount}])
        if Decimal(paid):
            services.payment_record(actor=admin, invoice=invoice, amount=paid, reference=f"Bank {number}",
                                    received_on=today - datetime.timedelta(days=max(issued - 20, 0)),
                                    external_id=f"demo-{number}")
    invoice = Invoice.objects.filter(number="INV-2026-D0102").first()
    if invoice and not invoice.credit_notes.exists() and not Payment.objects.filter(invoice=invoice).exists():
        services.credit_note_issue(actor=admin, invoice=invoice, amount="150.00",
                                   reason="Two damaged rack kits returned")
