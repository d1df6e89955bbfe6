import random
import re

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from stdnum import get_cc_module

from accord.partners import fakes
from accord.partners.models import Partner, Segment, User
from accord.partners.roles import Role
from accord.partners.segments import matching_partners
from accord.partners.services import partner_clean
from accord.partners.validators import TAX_ID_MODULES

pytestmark = pytest.mark.django_db


def _seed(count: int, seed: int = 1) -> None:
    call_command("seed", partners=count, seed=seed, verbosity=0)


@pytest.mark.parametrize("country", [c.code for c in fakes.COUNTRIES])
def test_tax_ids_have_valid_check_digits(country):
    rng = random.Random(3)
    module = get_cc_module(country.lower(), TAX_ID_MODULES[country.lower()])

    for _ in range(200):
        assert module.is_valid(fakes.tax_id(rng, country))


@pytest.mark.parametrize("country", [c.code for c in fakes.COUNTRIES])
def test_phones_are_valid_for_their_country(country):
    rng = random.Random(3)

    numbers = [fakes.phone(rng, country, mobile=mobile) for mobile in (False, True) for _ in range(50)]

    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.region_code_for_number(parsed) == country
    assert len(set(numbers)) > 90


def test_seeded_partners_pass_the_partner_validation():
    _seed(60)

    partners = list(Partner.objects.all())
    assert len(partners) == 60
    for partner in partners:
        before = (partner.tax_id, partner.phone, partner.web_domain, partner.country)
        partner_clean(partner)  # raises on any invalid field
        assert (partner.tax_id, partner.phone, partner.web_domain, partner.country) == before
        assert partner.latitude is not None and partner.channel_manager_id is not None


def test_partners_have_local_names_and_people_with_roles():
    _seed(300)

    russian = Partner.objects.filter(country="RU")
    assert russian.exists()
    assert all(re.match(r"^(ООО|АО|ПАО) «[А-Яа-яЁё \-]+»$", p.legal_name) for p in russian)
    assert all(p.legal_name.startswith(("PT ", "CV ")) for p in Partner.objects.filter(country="ID"))
    assert all(p.legal_name.endswith(("Sp. z o.o.", "S.A.", "Sp.j.")) for p in Partner.objects.filter(country="PL"))
    assert all(p.legal_name.endswith(("GmbH", "AG", "GmbH & Co. KG")) for p in Partner.objects.filter(country="DE"))
    assert all(p.legal_name.endswith(("Inc.", "LLC", "Corp.")) for p in Partner.objects.filter(country="US"))
    assert Partner.objects.values("country").distinct().count() >= 10
    for partner in Partner.objects.prefetch_related("users__groups")[:50]:
        people = list(partner.users.all())
        assert 1 <= len(people) <= 4
        assert sum(Role.PARTNER_ADMIN in person.roles for person in people) == 1
        assert all(person.email.endswith("@" + partner.web_domain) for person in people)


def test_seeded_people_can_sign_in(client):
    _seed(5)
    person = User.objects.filter(partner__status=Partner.Status.ACTIVE, is_active=True).first()

    response = client.post("/accounts/login/", {"username": person.email, "password": "accord-seed"})

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(person.pk)


def test_same_seed_same_data():
    def snapshot():
        with transaction.atomic():
            _seed(40, seed=9)
            rows = list(Partner.objects.order_by("pk").values_list("legal_name", "tax_id", "web_domain", "city"))
            people = list(User.objects.filter(partner__isnull=False).order_by("pk").values_list("email", "phone"))
            transaction.set_rollback(True)
        return rows, people

    assert snapshot() == snapshot()


def test_running_again_adds_more_without_colliding():
    _seed(50, seed=2)
    _seed(50, seed=2)

    assert Partner.objects.count() == 100
    emails = list(User.objects.values_list("email", flat=True))
    assert len(emails) == len(set(emails))
    domains = list(Partner.objects.values_list("web_domain", flat=True))
    assert len(domains) == len(set(domains))


def test_segment_memberships_are_refreshed():
    _seed(200)

    assert Segment.objects.count() >= 3
    for segment in Segment.objects.all():
        assert set(segment.members.values_list("pk", flat=True)) == set(
            matching_partners(segment.rule).values_list("pk", flat=True))


def test_bad_count_is_refused():
    with pytest.raises(CommandError, match="--partners"):
        _seed(0)
