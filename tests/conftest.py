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


@pytest.fixture
def page(monkeypatch):
    """A page in real Chromium (Debian's /usr/bin/chromium; browsers cannot be downloaded here).

    Playwright runs an event loop in the test's thread, so Django's async-safety check is lifted for the test.
    """
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        browser.close()
