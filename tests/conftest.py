import pytest

pytest_plugins = ["tests.factories"]


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read English unless they switch language themselves."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttles and cached values never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
