from tests.commerce.factories import other_partner, product, warehouse  # noqa: F401 -- fixtures
