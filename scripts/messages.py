"""Translation catalogs, one per domain or face, safe to run from several shells at once.

    uv run python scripts/messages.py CATALOG              extract strings, keep translations, compile
    uv run python scripts/messages.py CATALOG --missing    print untranslated strings as JSON
    uv run python scripts/messages.py CATALOG --fill F     apply translations from JSON file F, compile

F looks like {"Your channel manager": {"ru": "Ваш менеджер", "pl": "...", "id": "..."}}; for a plural
entry use its singular msgid as key and a list of forms per language.

Which catalog holds a string follows the file's place: src/accord/<domain>/** belongs to the domain;
a face file or folder named after a domain (portal/views/commerce.py, console/templates/console/sales/)
belongs to that domain, except partners, whose pages belong to the face (portal, console, api) itself.
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "src" / "accord"
DOMAINS = ("partners", "commerce", "sales", "automation", "insights")
FACES = ("portal", "console", "api")
LANGUAGES = ("ru", "pl", "id")
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "id": "nplurals=2; plural=(n != 1);",
}
ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "accord.settings",
       "ACCORD_HOME": os.environ.get("ACCORD_HOME", tempfile.gettempdir() + "/accord-messages")}


def owner(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    if parts[0] in DOMAINS:
        return parts[0]
    for part in parts[1:]:
        stem = part.removesuffix(".py").removesuffix(".html").removesuffix(".txt")
        if stem in DOMAINS and stem != "partners":
            return stem
    return parts[0]


def files_of(catalog: str) -> list[Path]:
    return [path for path in ROOT.rglob("*")
            if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts
            and "locale" not in path.parts and path.relative_to(ROOT).parts[0] in DOMAINS + FACES
            and owner(path) == catalog]


@contextmanager
def locked(catalog: str):
    with open(f"/tmp/accord-messages-{catalog}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def po_path(catalog: str, language: str) -> Path:
    return ROOT / catalog / "locale" / language / "LC_MESSAGES" / "django.po"


def extract(catalog: str) -> None:
    locale_dir = ROOT / catalog / "locale"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for path in files_of(catalog):
            target = work / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        if locale_dir.exists():
            shutil.copytree(locale_dir, work / "locale")
        (work / "locale").mkdir(exist_ok=True)
        subprocess.run(["django-admin", "makemessages", *[f"-l{lang}" for lang in LANGUAGES], "--no-obsolete",
                        "--add-location=file", "-e", "html,txt,py", "-v0"], cwd=work, env=ENV, check=True)
        for po in (work / "locale").rglob("django.po"):
            target = locale_dir / po.relative_to(work / "locale")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(po, target)


def fix_headers(catalog: str) -> None:
    """Gettext needs Language and Plural-Forms, or Russian and Polish plurals pick the wrong form."""
    for language in LANGUAGES:
        path = po_path(catalog, language)
        if not path.exists():
            continue
        lines = path.read_text().split("\n")
        header_end = lines.index('msgid ""')
        lines = [line for i, line in enumerate(lines)
                 if not line.startswith(('"Language:', '"Plural-Forms:'))
                 and not (i < header_end and line == "#, fuzzy")]
        at = next(i for i, line in enumerate(lines) if line.startswith('"Content-Transfer-Encoding:'))
        lines[at + 1:at + 1] = [f'"Language: {language}\\n"', f'"Plural-Forms: {PLURAL_FORMS[language]}\\n"']
        path.write_text("\n".join(lines))


def compile_catalog(catalog: str) -> None:
    subprocess.run(["django-admin", "compilemessages", "-v0"], cwd=ROOT / catalog, check=True, env=ENV)


def missing(catalog: str) -> dict:
    result: dict = {}
    for language in LANGUAGES:
        path = po_path(catalog, language)
        if not path.exists():
            continue
        with path.open("rb") as handle:
            po = read_po(handle, locale=language)
        for message in po:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                result.setdefault(key, {})[language] = "" if not isinstance(message.id, tuple) else []
    return result


def fill(catalog: str, translations: dict) -> None:
    for language in LANGUAGES:
        path = po_path(catalog, language)
        with path.open("rb") as handle:
            po = read_po(handle, locale=language)
        for message in po:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            value = translations.get(key, {}).get(language)
            if not value:
                continue
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, po, width=0)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in DOMAINS + FACES:
        sys.exit(f"usage: messages.py CATALOG [--missing | --fill FILE]; CATALOG one of {', '.join(DOMAINS + FACES)}")
    catalog = argv[0]
    with locked(catalog):
        if "--missing" in argv:
            print(json.dumps(missing(catalog), ensure_ascii=False, indent=1))
            return
        if "--fill" in argv:
            fill(catalog, json.loads(Path(argv[argv.index("--fill") + 1]).read_text()))
        else:
            extract(catalog)
        fix_headers(catalog)
        compile_catalog(catalog)
        gaps = missing(catalog)
        print(f"{catalog}: {len(gaps)} strings still need a translation" if gaps else f"{catalog}: complete")


if __name__ == "__main__":
    main(sys.argv[1:])
