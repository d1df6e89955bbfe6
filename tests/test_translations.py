"""Every catalog is complete in ru, pl and id, and every compiled .mo says what its .po says."""

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import accord

LANGUAGES = ("ru", "pl", "id")
CATALOGS = sorted(path.parent.name for path in Path(accord.__file__).parent.glob("*/locale"))


def _key(message) -> str:
    """The singular msgid (read_po gives plurals as tuples, read_mo as lists)."""
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def _forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)


def _po(catalog: str, language: str) -> tuple[Path, Catalog]:
    path = Path(accord.__file__).parent / catalog / "locale" / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        pytest.fail(f"{catalog} has no {language} catalog: run scripts/messages.py {catalog}")
    with path.open("rb") as handle:
        return path, read_po(handle, locale=language)


def _gaps(po: Catalog) -> list[str]:
    return [_key(m) for m in po if m.id and (m.fuzzy or not all(_forms(m)))]


def _stale(po: Catalog, mo: Catalog) -> list[str]:
    """Translations in the .po that the .mo does not carry (or carries differently)."""
    compiled = {_key(m): _forms(m) for m in mo if m.id}
    stale = []
    for message in po:
        forms = _forms(message)
        if not message.id or message.fuzzy or not all(forms):
            continue  # gaps are _gaps' business; gettext leaves them out of the .mo
        # babel may know fewer plural forms than gettext wrote (ru/pl: 3 vs 4); compare the ones it read
        if compiled.get(_key(message), ())[:len(forms)] != forms:
            stale.append(_key(message))
    return stale


def test_catalogs_are_found():
    assert {"partners", "portal", "console"} <= set(CATALOGS)


def test_the_checks_notice_gaps_fuzzy_entries_and_stale_compiled_catalogs():
    po = Catalog(locale="pl")
    po.add("Team", "Zespół")
    po.add("Send", "")
    po.add("Save", "Zapisz", flags=["fuzzy"])
    old = Catalog(locale="pl")
    old.add("Team", "Drużyna")
    buffer = BytesIO()
    write_mo(buffer, old)
    buffer.seek(0)

    assert _gaps(po) == ["Send", "Save"]
    assert _stale(po, read_mo(buffer)) == ["Team"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("catalog", CATALOGS)
def test_every_string_is_translated(catalog, language):
    _path, po = _po(catalog, language)

    gaps = _gaps(po)

    assert not gaps, (f"{catalog}/{language}: {len(gaps)} untranslated or fuzzy, e.g. {gaps[:5]}; "
                      f"run scripts/messages.py {catalog} --missing")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("catalog", CATALOGS)
def test_compiled_catalog_matches_its_source(catalog, language):
    path, po = _po(catalog, language)
    with path.with_suffix(".mo").open("rb") as handle:
        stale = _stale(po, read_mo(handle))

    assert not stale, f"{catalog}/{language}: .mo is older than .po for {stale[:5]}; run scripts/messages.py {catalog}"


PLURAL_COUNTS = {"ru": "nplurals=3", "pl": "nplurals=3", "id": "nplurals=2"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("catalog", CATALOGS)
def test_compiled_catalog_declares_its_language_and_plural_forms(catalog, language):
    """gettext drops a fuzzy header from the .mo, and without Plural-Forms Russian and Polish plurals go wrong."""
    path = Path(accord.__file__).parent / catalog / "locale" / language / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as handle:
        headers = dict(read_mo(handle).mime_headers)

    assert headers.get("Language") == language, f"{catalog}/{language}: run scripts/messages.py {catalog}"
    assert PLURAL_COUNTS[language] in headers.get("Plural-Forms", ""), f"{catalog}/{language}: no plural forms"
