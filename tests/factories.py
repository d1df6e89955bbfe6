"""Factories for partners core, plus fixtures for the people most tests need.

Other domains keep their factories in tests/<domain>/factories.py and build on these.
"""

import factory
import pytest

from accord.partners.models import Industry, Partner, Specialisation, Tier, User
from accord.partners.roles import Role
from accord.partners.services import user_set_roles

PASSWORD = "correct horse battery staple"


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tier-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    rank = factory.Sequence(int)


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"industry-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class SpecialisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"spec-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


def _roles(default: tuple[Role, ...]):
    """Post-generation hook giving a user `roles=[...]`, or the factory's default roles."""

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        user.save()
        chosen = default if extracted is None else extracted
        if chosen:
            user_set_roles(user=user, roles=list(chosen))

    return roles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    roles = _roles(())


class VendorUserFactory(UserFactory):
    roles = _roles((Role.CHANNEL_MANAGER,))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    legal_name = factory.Sequence(lambda n: f"Partner {n} GmbH")
    country = "DE"
    city = "Berlin"
    status = Partner.Status.ACTIVE
    currency = "EUR"
    time_zone = "Europe/Berlin"
    web_domain = factory.Sequence(lambda n: f"partner{n}.example.com")
    tier = factory.SubFactory(TierFactory, code="silver", name="Silver", rank=10)
    channel_manager = factory.SubFactory(VendorUserFactory)


class PartnerUserFactory(UserFactory):
    partner = factory.SubFactory(PartnerFactory)
    roles = _roles((Role.PARTNER_USER,))


class PartnerAdminFactory(UserFactory):
    partner = factory.SubFactory(PartnerFactory)
    roles = _roles((Role.PARTNER_ADMIN,))


@pytest.fixture
def vendor_admin(db):
    return UserFactory(roles=[Role.VENDOR_ADMIN], is_staff=True)


@pytest.fixture
def channel_manager(db):
    return VendorUserFactory(email="cam@example.com", first_name="Katarzyna", last_name="Nowak",
                             phone="+48225551234")


@pytest.fixture
def partner_a(db, channel_manager):
    return PartnerFactory(legal_name="Alpha Systems GmbH", channel_manager=channel_manager)


@pytest.fixture
def partner_b(db, channel_manager):
    return PartnerFactory(legal_name="Beta Networks Sp. z o.o.", country="PL", city="Warszawa",
                          channel_manager=channel_manager)


@pytest.fixture
def partner_admin_a(partner_a):
    return PartnerAdminFactory(partner=partner_a, email="admin@alpha.example")


@pytest.fixture
def partner_user_a(partner_a):
    return PartnerUserFactory(partner=partner_a, email="user@alpha.example")


@pytest.fixture
def partner_admin_b(partner_b):
    return PartnerAdminFactory(partner=partner_b, email="admin@beta.example")
