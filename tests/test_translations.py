"""Every catalog is complete in ru, pl and id, and every compiled .mo says what its .po says."""

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import accord

LANGUAGES = ("ru", "pl", "id")
CATALOGS = sorted(path.parent.name for path in Path(accord.__file__).parent.glob("*/locale"))


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def _forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)


def _po(catalog: str, language: str):
    path = Path(accord.__file__).parent / catalog / "locale" / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        pytest.fail(f"{catalog} has no {language} catalog: run scripts/messages.py {catalog}")
    with path.open("rb") as handle:
        return path, read_po(handle, locale=language)


def test_catalogs_are_found():
    assert {"partners", "portal", "console"} <= set(CATALOGS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("catalog", CATALOGS)
def test_every_string_is_translated(catalog, language):
    _path, po = _po(catalog, language)

    gaps = [_key(m) for m in po if m.id and (m.fuzzy or not all(_forms(m)))]

    assert not gaps, (f"{catalog}/{language}: {len(gaps)} untranslated or fuzzy, e.g. {gaps[:5]}; "
                      f"run scripts/messages.py {catalog} --missing")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("catalog", CATALOGS)
def test_compiled_catalog_matches_its_source(catalog, language):
    path, po = _po(catalog, language)
    with path.with_suffix(".mo").open("rb") as handle:
        mo = {_key(m): _forms(m) for m in read_mo(handle) if m.id}

    stale = []
    for message in po:
        if not message.id or message.fuzzy:
            continue
        forms = _forms(message)
        # babel may know fewer plural forms than gettext wrote (ru/pl: 3 vs 4); compare the ones it read
        if mo.get(_key(message), ())[:len(forms)] != forms:
            stale.append(_key(message))

    assert not stale, f"{catalog}/{language}: .mo is older than .po for {stale[:5]}; run scripts/messages.py {catalog}"
