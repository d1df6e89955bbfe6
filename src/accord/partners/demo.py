"""Demo data for partners core: tiers, reference data, vendor staff, ~25 partners in eight countries with
their people, qualification questions, segments, pending applications and messages to channel managers.

Everything is created through the same services the product uses, looked up by natural key first, so
running the seeder twice changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop as _

from accord.partners.models import (
    Application,
    Industry,
    ManagerMessage,
    Partner,
    QualificationQuestion,
    Segment,
    Specialisation,
    Tier,
    User,
)
from accord.partners.roles import Role
from accord.partners.services import application_submit, partner_create, segment_save, user_set_roles

DEMO_PASSWORD = "accord-demo"  # noqa: S105 -- printed on screen by `accord demo`

# Names are stored in English and marked for the catalog: Tier/Industry/Specialisation.__str__ translate them.
TIERS = [("registered", _("Registered"), 0), ("silver", _("Silver"), 10), ("gold", _("Gold"), 20),
         ("platinum", _("Platinum"), 30)]
INDUSTRIES = [("manufacturing", _("Manufacturing")), ("retail", _("Retail")), ("healthcare", _("Healthcare")),
              ("finance", _("Financial services")), ("public-sector", _("Public sector")),
              ("education", _("Education")), ("logistics", _("Logistics")), ("energy", _("Energy & utilities")),
              ("telecom", _("Telecommunications")), ("hospitality", _("Hospitality"))]
SPECIALISATIONS = [("networking", _("Networking")), ("security", _("Security")), ("cloud", _("Cloud")),
                   ("storage", _("Storage")), ("iot", _("IoT")), ("services", _("Managed services")),
                   ("installation", _("Installation")), ("support", _("Technical support"))]

VENDOR_STAFF = [
    ("admin@accord.example", "Alex", "Morgan", Role.VENDOR_ADMIN, "+4930901820"),
    ("cam@accord.example", "Katarzyna", "Nowak", Role.CHANNEL_MANAGER, "+48225551234"),
    ("cam2@accord.example", "Dmitry", "Sokolov", Role.CHANNEL_MANAGER, "+74951234567"),
    ("finance@accord.example", "Fatima", "Rahman", Role.FINANCE_APPROVER, "+4930901821"),
    ("support@accord.example", "Sam", "Lee", Role.SUPPORT_AGENT, "+4930901822"),
]

CAM_PL, CAM_RU = "cam@accord.example", "cam2@accord.example"


@dataclass(frozen=True)
class DemoPartner:
    legal_name: str
    country: str
    city: str
    region: str
    street: str
    postal_code: str
    domain: str
    tax_id: str
    phone: str
    tier: str
    size: str
    kind: str
    language: str
    time_zone: str
    currency: str
    cam: str
    industries: tuple[str, ...]
    specialisations: tuple[str, ...] = ()
    status: str = Partner.Status.ACTIVE
    employees: int | None = None
    revenue: int | None = None
    joined: datetime.date = datetime.date(2024, 3, 1)
    competing: str = ""
    trading_name: str = ""
    people: tuple[tuple[str, str, str, Role, str], ...] = field(default=())  # email, first, last, role, job


A, U = Role.PARTNER_ADMIN, Role.PARTNER_USER

PARTNERS = [
    # The five partners the other domains' demo data and the printed logins refer to.
    DemoPartner("Nordwind Systemhaus GmbH", "DE", "Hamburg", "Hamburg", "Speicherstadt 12", "20457",
                "nordwind-systemhaus.de", "DE136695976", "+49 40 3346 5120", "gold", "medium", "reseller", "en",
                "Europe/Berlin", "EUR", CAM_PL, ("manufacturing", "logistics"), ("networking", "installation"),
                employees=120, revenue=18_500_000, competing="Cisco Meraki\nUbiquiti UniFi",
                people=(("anna.schmidt@nordwind-systemhaus.de", "Anna", "Schmidt", A, "Geschäftsführerin"),
                        ("jonas.weber@nordwind-systemhaus.de", "Jonas", "Weber", U, "Vertrieb"))),
    DemoPartner("ООО «Ромашка Технологии»", "RU", "Москва", "Москва", "ул. Тверская, д. 7, офис 412", "125009",
                "romashka-tech.ru", "7707083893", "+7 495 123-45-67", "silver", "small", "reseller", "ru",
                "Europe/Moscow", "RUB", CAM_RU, ("retail", "finance"), ("security", "support"),
                employees=35, revenue=240_000_000, trading_name="Ромашка Технологии",
                people=(("ivan.petrov@romashka-tech.ru", "Иван", "Петров", A, "Генеральный директор"),)),
    DemoPartner("Wisła Integracje Sp. z o.o.", "PL", "Kraków", "Małopolskie", "ul. Floriańska 24", "31-021",
                "wisla-integracje.pl", "5260250274", "+48 12 421 55 10", "platinum", "large", "integrator", "pl",
                "Europe/Warsaw", "PLN", CAM_PL, ("public-sector", "education"), ("cloud", "services", "security"),
                employees=410, revenue=96_000_000, joined=datetime.date(2022, 9, 15),
                competing="Microsoft Azure Stack\nHuawei",
                people=(("piotr.kowalski@wisla-integracje.pl", "Piotr", "Kowalski", A, "Prezes zarządu"),)),
    DemoPartner("PT Nusantara Solusi Digital", "ID", "Jakarta", "DKI Jakarta", "Jl. Jend. Sudirman Kav. 52-53",
                "12190", "nusantara-solusi.co.id", "013000666091000", "+62 21 5150 1234", "registered", "small",
                "reseller", "id", "Asia/Jakarta", "IDR", CAM_RU, ("telecom", "hospitality"), ("networking",),
                employees=28, revenue=18_000_000_000,
                people=(("budi.santoso@nusantara-solusi.co.id", "Budi", "Santoso", A, "Direktur"),)),
    DemoPartner("Lakeside Networks Inc.", "US", "Chicago", "IL", "233 S Wacker Dr, Suite 8400", "60606",
                "lakeside-networks.com", "36-4726312", "+1 312 555 0142", "gold", "medium", "reseller", "en",
                "America/Chicago", "USD", CAM_PL, ("healthcare", "finance"), ("security", "cloud"),
                employees=85, revenue=22_000_000, competing="Fortinet",
                people=(("emily.clark@lakeside-networks.com", "Emily", "Clark", A, "VP Sales"),)),
    # Russia
    DemoPartner("АО «Сибирские Сети»", "RU", "Новосибирск", "Новосибирская область", "Красный проспект, д. 1",
                "630007", "sibseti.ru", "5407728378", "+7 383 212-34-56", "gold", "medium", "integrator", "ru",
                "Asia/Novosibirsk", "RUB", CAM_RU, ("telecom", "energy"), ("networking", "iot"), employees=160,
                revenue=1_200_000_000, joined=datetime.date(2023, 2, 10),
                people=(("olga.smirnova@sibseti.ru", "Ольга", "Смирнова", A, "Коммерческий директор"),)),
    DemoPartner("ООО «Волга Интеграция»", "RU", "Казань", "Республика Татарстан", "ул. Баумана, д. 19", "420111",
                "volga-integration.ru", "1632661663", "+7 843 212-34-56", "registered", "small", "integrator",
                "ru", "Europe/Moscow", "RUB", CAM_RU, ("manufacturing",), ("installation",),
                status=Partner.Status.ONBOARDING, employees=22, joined=datetime.date(2026, 10, 1)),
    DemoPartner("ООО «Невский Дистрибьютор»", "RU", "Санкт-Петербург", "Санкт-Петербург", "Невский пр., д. 28",
                "191186", "nevsky-distrib.ru", "7841312071", "+7 812 312-34-56", "platinum", "large",
                "distributor", "ru", "Europe/Moscow", "RUB", CAM_RU, ("retail", "logistics"),
                ("storage", "networking"), employees=540, revenue=8_400_000_000, joined=datetime.date(2021, 5, 20)),
    DemoPartner("ООО «Уральские Системы»", "RU", "Екатеринбург", "Свердловская область", "ул. Малышева, д. 51",
                "620014", "ural-systems.ru", "6670317974", "+7 343 312-34-56", "silver", "small", "dealer", "ru",
                "Asia/Yekaterinburg", "RUB", CAM_RU, ("energy",), ("support",), status=Partner.Status.SUSPENDED,
                employees=40),
    # Poland
    DemoPartner("Mazowsze IT S.A.", "PL", "Warszawa", "Mazowieckie", "ul. Marszałkowska 142", "00-061",
                "mazowsze-it.pl", "5213003700", "+48 22 555 12 34", "gold", "large", "integrator", "pl",
                "Europe/Warsaw", "PLN", CAM_PL, ("finance", "public-sector"), ("security", "cloud"),
                employees=300, revenue=150_000_000, joined=datetime.date(2023, 6, 1)),
    DemoPartner("Odra Serwis Sp. z o.o.", "PL", "Wrocław", "Dolnośląskie", "ul. Świdnicka 40", "50-024",
                "odra-serwis.pl", "8979532275", "+48 71 555 12 34", "registered", "micro", "reseller", "pl",
                "Europe/Warsaw", "PLN", CAM_PL, ("retail",), ("installation", "support"),
                status=Partner.Status.ONBOARDING, employees=6, joined=datetime.date(2026, 11, 2)),
    DemoPartner("Gdańska Technika Sp.j.", "PL", "Gdańsk", "Pomorskie", "ul. Długa 45", "80-827",
                "gdanska-technika.pl", "5842739582", "+48 58 555 12 34", "silver", "small", "dealer", "pl",
                "Europe/Warsaw", "PLN", CAM_PL, ("logistics",), ("networking",), status=Partner.Status.CHURNED,
                employees=15, joined=datetime.date(2020, 1, 15)),
    DemoPartner("Łódzkie Centrum Danych Sp. z o.o.", "PL", "Łódź", "Łódzkie", "ul. Piotrkowska 100", "90-004",
                "lcd-lodz.pl", "7252276544", "+48 42 555 12 34", "silver", "medium", "integrator", "pl",
                "Europe/Warsaw", "PLN", CAM_PL, ("healthcare", "education"), ("storage", "cloud"),
                employees=90, revenue=38_000_000,
                people=(("marta.wojcik@lcd-lodz.pl", "Marta", "Wójcik", A, "Dyrektor handlowa"),)),
    # Indonesia
    DemoPartner("PT Garuda Teknologi Nusantara", "ID", "Surabaya", "Jawa Timur", "Jl. Basuki Rahmat No. 8",
                "60271", "garuda-teknologi.co.id", "021701073750431", "+62 31 5312 345", "gold", "medium",
                "reseller", "id", "Asia/Jakarta", "IDR", CAM_RU, ("manufacturing", "retail"),
                ("networking", "security"), employees=140, revenue=95_000_000_000,
                people=(("siti.rahayu@garuda-teknologi.co.id", "Siti", "Rahayu", A, "Manajer Penjualan"),)),
    DemoPartner("CV Bali Digital Kreatif", "ID", "Denpasar", "Bali", "Jl. Teuku Umar No. 88", "80114",
                "balidigital.co.id", "033055203409305", "+62 361 234 567", "registered", "micro", "reseller",
                "id", "Asia/Makassar", "IDR", CAM_RU, ("hospitality",), ("installation",),
                status=Partner.Status.ONBOARDING, employees=7, joined=datetime.date(2026, 10, 20)),
    DemoPartner("PT Sumatera Jaringan Utama", "ID", "Medan", "Sumatera Utara", "Jl. Imam Bonjol No. 17",
                "20112", "sumatera-jaringan.co.id", "037248739498355", "+62 61 4512 345", "silver", "small",
                "reseller", "id", "Asia/Jakarta", "IDR", CAM_RU, ("telecom", "energy"), ("networking",),
                employees=45),
    DemoPartner("PT Bandung Solusi Integrasi", "ID", "Bandung", "Jawa Barat", "Jl. Asia Afrika No. 65", "40111",
                "bandung-solusi.co.id", "013262456241805", "+62 22 4231 234", "silver", "small", "integrator",
                "id", "Asia/Jakarta", "IDR", CAM_RU, ("education", "public-sector"), ("cloud",),
                status=Partner.Status.SUSPENDED, employees=30),
    # Germany
    DemoPartner("Rheinland Datentechnik GmbH", "DE", "Köln", "Nordrhein-Westfalen", "Hohenzollernring 72",
                "50672", "rheinland-datentechnik.de", "DE336949235", "+49 221 5551 234", "platinum", "large",
                "distributor", "en", "Europe/Berlin", "EUR", CAM_PL, ("manufacturing", "energy"),
                ("storage", "networking", "services"), employees=650, revenue=210_000_000,
                joined=datetime.date(2021, 11, 3), competing="HPE Aruba\nJuniper",
                people=(("thomas.becker@rheinland-datentechnik.de", "Thomas", "Becker", A, "Channel-Leiter"),)),
    DemoPartner("Bayern Netzwerk Service GmbH", "DE", "München", "Bayern", "Leopoldstraße 31", "80802",
                "bayern-netzwerk.de", "DE108062320", "+49 89 5551 2345", "silver", "small", "reseller", "en",
                "Europe/Berlin", "EUR", CAM_PL, ("hospitality", "retail"), ("installation", "support"),
                status=Partner.Status.ONBOARDING, employees=18, joined=datetime.date(2026, 9, 14)),
    DemoPartner("Sachsen IT-Partner AG", "DE", "Dresden", "Sachsen", "Prager Straße 2", "01069", "sachsen-it.de",
                "DE111925200", "+49 351 5551 234", "gold", "medium", "integrator", "en", "Europe/Berlin", "EUR",
                CAM_PL, ("public-sector", "healthcare"), ("security", "cloud"), employees=110,
                revenue=24_000_000),
    # United States
    DemoPartner("Golden Gate Integrators LLC", "US", "San Francisco", "CA", "101 California St, Suite 2450",
                "94111", "goldengate-integrators.com", "94-1471213", "+1 415 555 0188", "platinum", "large",
                "integrator", "en", "America/Los_Angeles", "USD", CAM_PL, ("finance", "healthcare"),
                ("cloud", "security", "services"), employees=380, revenue=75_000_000,
                joined=datetime.date(2022, 4, 4),
                people=(("michael.brown@goldengate-integrators.com", "Michael", "Brown", A, "Alliances Director"),)),
    DemoPartner("Lone Star Tech Supply Inc.", "US", "Austin", "TX", "600 Congress Ave, Floor 14", "78701",
                "lonestar-techsupply.com", "74-1355640", "+1 512 555 0123", "silver", "medium", "distributor", "en",
                "America/Chicago", "USD", CAM_PL, ("energy", "logistics"), ("storage",), employees=95),
    DemoPartner("Empire State Networks Corp.", "US", "New York", "NY", "350 5th Ave, Suite 3300", "10118",
                "empirestate-networks.com", "13-0559874", "+1 212 555 0175", "registered", "small", "reseller",
                "en", "America/New_York", "USD", CAM_PL, ("retail",), ("networking",),
                status=Partner.Status.CHURNED, employees=12, joined=datetime.date(2020, 6, 1)),
    # A few more countries
    DemoPartner("Thames Valley Systems Ltd", "GB", "Reading", "England", "Forbury Square 5", "RG1 3BB",
                "thamesvalley-systems.co.uk", "GB665941346", "+44 118 496 0123", "gold", "medium", "reseller",
                "en", "Europe/London", "GBP", CAM_PL, ("education", "finance"), ("networking", "support"),
                employees=70),
    DemoPartner("Lumière Réseaux SAS", "FR", "Lyon", "Auvergne-Rhône-Alpes", "12 rue de la République", "69002",
                "lumiere-reseaux.fr", "FR68973714181", "+33 4 72 10 20 30", "silver", "small", "integrator", "en",
                "Europe/Paris", "EUR", CAM_PL, ("healthcare",), ("security",), employees=40),
    DemoPartner("Paulista Soluções em TI Ltda.", "BR", "São Paulo", "SP", "Av. Paulista, 1578", "01310-200",
                "paulista-ti.com.br", "24.873.613/0001-00", "+55 11 3003 4567", "registered", "small", "reseller",
                "en", "America/Sao_Paulo", "BRL", CAM_PL, ("retail", "hospitality"), ("installation",),
                status=Partner.Status.ONBOARDING, employees=25, joined=datetime.date(2026, 11, 10)),
]

QUESTIONS = [
    {
        "text": "How many certified engineers do you employ?", "weight": 3,
        "choices": [("none", "None yet", 0), ("1-2", "One or two", 4), ("3-9", "Three to nine", 8),
                    ("10+", "Ten or more", 10)],
        "translations": {
            "ru": ("Сколько у вас сертифицированных инженеров?",
                   {"none": "Пока нет", "1-2": "Один-два", "3-9": "От трёх до девяти", "10+": "Десять и больше"}),
            "pl": ("Ilu certyfikowanych inżynierów zatrudniacie?",
                   {"none": "Jeszcze żadnego", "1-2": "Jednego lub dwóch", "3-9": "Od trzech do dziewięciu",
                    "10+": "Dziesięciu lub więcej"}),
            "id": ("Berapa banyak teknisi bersertifikat yang Anda miliki?",
                   {"none": "Belum ada", "1-2": "Satu atau dua", "3-9": "Tiga sampai sembilan",
                    "10+": "Sepuluh atau lebih"}),
        },
    },
    {
        "text": "What was your revenue from network and security products last year?", "weight": 2,
        "choices": [("<100k", "Under 100,000 EUR", 2), ("100k-1m", "100,000 to 1 million EUR", 6),
                    (">1m", "Over 1 million EUR", 10)],
        "translations": {
            "ru": ("Какова была ваша выручка от сетевых продуктов и продуктов безопасности в прошлом году?",
                   {"<100k": "Меньше 100 000 EUR", "100k-1m": "От 100 000 до 1 млн EUR",
                    ">1m": "Больше 1 млн EUR"}),
            "pl": ("Jaki był wasz przychód ze sprzedaży produktów sieciowych i bezpieczeństwa w zeszłym roku?",
                   {"<100k": "Poniżej 100 000 EUR", "100k-1m": "Od 100 000 do 1 mln EUR",
                    ">1m": "Powyżej 1 mln EUR"}),
            "id": ("Berapa pendapatan Anda dari produk jaringan dan keamanan tahun lalu?",
                   {"<100k": "Di bawah 100.000 EUR", "100k-1m": "100.000 hingga 1 juta EUR",
                    ">1m": "Lebih dari 1 juta EUR"}),
        },
    },
    {
        "text": "Do you offer installation and after-sales support yourselves?", "weight": 2,
        "choices": [("no", "No", 0), ("partly", "Installation only", 5), ("yes", "Both", 10)],
        "translations": {
            "ru": ("Выполняете ли вы монтаж и послепродажную поддержку сами?",
                   {"no": "Нет", "partly": "Только монтаж", "yes": "И то и другое"}),
            "pl": ("Czy sami zapewniacie instalację i wsparcie posprzedażowe?",
                   {"no": "Nie", "partly": "Tylko instalację", "yes": "Jedno i drugie"}),
            "id": ("Apakah Anda menyediakan instalasi dan dukungan purnajual sendiri?",
                   {"no": "Tidak", "partly": "Hanya instalasi", "yes": "Keduanya"}),
        },
    },
    {
        "text": "Which competing brands do you sell today?", "weight": 1,
        "choices": [("none", "None", 10), ("one", "One other brand", 6), ("several", "Several", 3)],
        "translations": {
            "ru": ("Какие конкурирующие бренды вы продаёте сейчас?",
                   {"none": "Никаких", "one": "Один другой бренд", "several": "Несколько"}),
            "pl": ("Jakie konkurencyjne marki obecnie sprzedajecie?",
                   {"none": "Żadnych", "one": "Jedną inną markę", "several": "Kilka"}),
            "id": ("Merek pesaing apa yang Anda jual saat ini?",
                   {"none": "Tidak ada", "one": "Satu merek lain", "several": "Beberapa"}),
        },
    },
]

EU = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
      "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]
SEGMENTS = [
    ("Gold and Platinum in the EU", "Top-tier partners inside the European Union: eligible for co-marketing funds.",
     {"all": [{"field": "tier", "op": "in", "value": ["gold", "platinum"]},
              {"field": "country", "op": "in", "value": EU}]}),
    ("Indonesian resellers", "Resellers in Indonesia, served in Bahasa Indonesia from Jakarta time.",
     {"all": [{"field": "country", "op": "eq", "value": "ID"}, {"field": "kind", "op": "eq", "value": "reseller"}]}),
    ("Onboarding", "Partners still in onboarding: they get the welcome programme.",
     {"field": "status", "op": "eq", "value": "onboarding"}),
    ("Security specialists", "Active partners specialised in security, for security product launches.",
     {"all": [{"field": "specialisations", "op": "any_of", "value": ["security"]},
              {"field": "status", "op": "eq", "value": "active"}]}),
]

APPLICATIONS = [
    {"legal_name": "Baltic Net Solutions Sp. z o.o.", "country": "PL", "city": "Szczecin",
     "region": "Zachodniopomorskie", "street": "al. Wojska Polskiego 60", "postal_code": "70-475",
     "web_domain": "balticnet.pl", "tax_id": "9512279180",
     "kind": "integrator", "size": "medium", "contact_first_name": "Tomasz", "contact_last_name": "Lewandowski",
     "contact_email": "tomasz.lewandowski@balticnet.pl", "contact_phone": "+48 91 555 12 34", "language": "pl",
     "message": "Obsługujemy porty i logistykę na Pomorzu Zachodnim.",
     "answers": ["10+", ">1m", "yes", "one"], "industries": ["logistics"], "specialisations": ["networking"]},
    {"legal_name": "ООО «Камчатка Телеком Сервис»", "country": "RU", "city": "Петропавловск-Камчатский",
     "region": "Камчатский край", "web_domain": "kamtelecom-service.ru", "tax_id": "7731372159", "kind": "dealer",
     "size": "small", "contact_first_name": "Алексей", "contact_last_name": "Иванов",
     "contact_email": "a.ivanov@kamtelecom-service.ru", "language": "ru",
     "answers": ["1-2", "<100k", "partly", "several"], "industries": ["telecom"]},
    {"legal_name": "PT Makassar Data Prima", "country": "ID", "city": "Makassar", "region": "Sulawesi Selatan",
     "street": "Jl. Ahmad Yani No. 21", "postal_code": "90111", "web_domain": "makassardata.co.id",
     "tax_id": "039131677232679", "kind": "reseller", "size": "small", "contact_first_name": "Dewi",
     "contact_last_name": "Lestari", "contact_email": "dewi@makassardata.co.id", "contact_phone": "+62 411 361 234",
     "language": "id", "answers": ["3-9", "100k-1m", "yes", "none"], "industries": ["retail", "hospitality"],
     "specialisations": ["installation", "support"]},
    {"legal_name": "Prairie Wireless LLC", "country": "US", "city": "Omaha", "region": "NE",
     "web_domain": "prairie-wireless.com", "kind": "reseller", "size": "micro", "contact_first_name": "Jake",
     "contact_last_name": "Miller", "contact_email": "jake@prairie-wireless.com", "language": "en",
     "answers": ["none", "<100k", "no", "several"]},
]

MESSAGES = [
    ("anna.schmidt@nordwind-systemhaus.de", "Lieferzeit für 40 Access Points",
     "Hallo Katarzyna, unser Kunde in Bremen braucht 40 Access Points bis Ende des Monats. Schaffen wir das?"),
    ("piotr.kowalski@wisla-integracje.pl", "Przetarg w Krakowie — wsparcie cenowe",
     "Dzień dobry, startujemy w przetargu dla urzędu miasta. Czy możemy liczyć na specjalny rabat projektowy?"),
    ("emily.clark@lakeside-networks.com", "Co-marketing event in Q1",
     "Hi Katarzyna, we'd like to run a healthcare security breakfast in January. Can we use MDF for it?"),
    ("ivan.petrov@romashka-tech.ru", "Сертификация инженеров",
     "Дмитрий, добрый день! Когда ближайший курс сертификации для наших двух инженеров?"),
]


def _user(email: str, first: str, last: str, role: Role, *, partner: Partner | None = None,
          phone: str = "", language: str = "en", time_zone: str = "UTC", job_title: str = "") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last, partner=partner,
                                        phone=phone, language=language, time_zone=time_zone, job_title=job_title,
                                        is_staff=role == Role.VENDOR_ADMIN)
    user_set_roles(user=user, roles=[role])
    return user


def _partner(spec: DemoPartner, *, tiers: dict, industries: dict, specialisations: dict, staff: dict) -> Partner:
    partner = Partner.objects.filter(legal_name=spec.legal_name).first()
    if partner is None:
        partner = partner_create(
            actor=None, legal_name=spec.legal_name, trading_name=spec.trading_name, country=spec.country,
            city=spec.city, region=spec.region, street=spec.street, postal_code=spec.postal_code,
            web_domain=spec.domain, tax_id=spec.tax_id, phone=spec.phone, email=f"info@{spec.domain}",
            tier=tiers[spec.tier], size=spec.size, kind=spec.kind, language=spec.language,
            time_zone=spec.time_zone, currency=spec.currency, channel_manager=staff[spec.cam], status=spec.status,
            employees=spec.employees, annual_revenue=Decimal(spec.revenue) if spec.revenue else None,
            joined_on=spec.joined, competing_products=spec.competing,
            industries=[industries[code] for code in spec.industries],
            specialisations=[specialisations[code] for code in spec.specialisations])
    for email, first, last, role, job in spec.people:
        _user(email, first, last, role, partner=partner, language=partner.language, time_zone=partner.time_zone,
              job_title=job)
    return partner


def _questions() -> list[QualificationQuestion]:
    questions = []
    for position, spec in enumerate(QUESTIONS):
        translations = {language: {"text": text, "choices": labels}
                        for language, (text, labels) in spec["translations"].items()}
        question, _created = QualificationQuestion.objects.get_or_create(text=spec["text"], defaults={
            "weight": spec["weight"], "position": position, "translations": translations,
            "choices": [{"value": v, "label": label, "points": p} for v, label, p in spec["choices"]]})
        questions.append(question)
    return questions


def seed() -> None:
    tiers = {code: Tier.objects.update_or_create(code=code, defaults={"name": name, "rank": rank})[0]
             for code, name, rank in TIERS}
    industries = {code: Industry.objects.get_or_create(code=code, defaults={"name": name})[0]
                  for code, name in INDUSTRIES}
    specialisations = {code: Specialisation.objects.get_or_create(code=code, defaults={"name": name})[0]
                       for code, name in SPECIALISATIONS}
    staff = {email: _user(email, first, last, role, phone=phone) for email, first, last, role, phone in VENDOR_STAFF}
    admin = staff["admin@accord.example"]
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])
    for spec in PARTNERS:
        _partner(spec, tiers=tiers, industries=industries, specialisations=specialisations, staff=staff)
    for name, description, rule in SEGMENTS:
        if not Segment.objects.filter(name=name).exists():
            segment_save(actor=admin, name=name, description=description, rule=rule)
    questions = _questions()
    for spec in APPLICATIONS:
        if Application.objects.filter(legal_name=spec["legal_name"]).exists():
            continue
        fields = {k: v for k, v in spec.items() if k not in {"answers", "industries", "specialisations"}}
        application_submit(
            **fields, answers={str(q.pk): answer for q, answer in zip(questions, spec["answers"], strict=True)},
            industries=[industries[code] for code in spec.get("industries", ())],
            specialisations=[specialisations[code] for code in spec.get("specialisations", ())])
    for sender_email, subject, body in MESSAGES:
        sender = User.objects.select_related("partner__channel_manager").get(email=sender_email)
        ManagerMessage.objects.get_or_create(partner=sender.partner, subject=subject, defaults={
            "sender": sender, "recipient": sender.partner.channel_manager, "body": body})


def logins_text() -> str:
    rows = [
        ("Vendor admin", "admin@accord.example"),
        ("Channel account manager", "cam@accord.example"),
        ("Finance approver", "finance@accord.example"),
        ("Partner admin, Nordwind Systemhaus (DE)", "anna.schmidt@nordwind-systemhaus.de"),
        ("Partner admin, Wisła Integracje (PL)", "piotr.kowalski@wisla-integracje.pl"),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {label.ljust(width)}  {email}" for label, email in rows]
    return "\n".join(lines)
