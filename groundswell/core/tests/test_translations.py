"""French translations: complete catalogs, .mo files in step with them, French pages and dates.

Each app keeps its own catalog in groundswell/<app>/locale/fr/LC_MESSAGES/. The .po files are
parsed here in Python (msgfmt is not on every machine), so these tests fail when a string is
added without a translation, when a translation is left fuzzy, or when a .po is changed and
`make messages` (compilemessages) was not run again.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from groundswell.accounts.models import User

GROUNDSWELL = Path(__file__).resolve().parents[2]
CATALOGS = sorted(GROUNDSWELL.glob("*/locale/fr/LC_MESSAGES/django.po"))
TRANSLATED_APPS = {"core", "accounts", "people", "geo", "api"}

# The same msgid in two catalogs gets a single translation at run time: Django merges every
# app's catalog, and the app listed first in INSTALLED_APPS wins. A msgid that needs two
# meanings must be told apart with pgettext in the source; until then it is listed here.
KNOWN_CLASHES: set[str] = set()


def _app(po: Path) -> str:
    return po.relative_to(GROUNDSWELL).parts[0]


# --- A small .po reader -----------------------------------------------------------------------


@dataclass
class PoEntry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    # None for a singular msgstr, else the plural index.
    msgstr: dict[int | None, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The msgid as a compiled catalog stores it (with its context, if any)."""
        assert self.msgid is not None
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')
_CONTINUATION = re.compile(r'^(".*")$')


def _literal(quoted: str) -> str:
    value = ast.literal_eval(quoted)
    assert isinstance(value, str)
    return value


def po_read(path: Path) -> list[PoEntry]:
    """Every live entry of a .po file (obsolete "#~" entries are skipped), header first."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    target: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal entry, target
        if entry is not None and entry.msgid is not None:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgid is not None:
                flush()
            if line.startswith("#,"):
                entry = entry or PoEntry(line=number)
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        keyword = _KEYWORD.match(line)
        if keyword:
            name, index, quoted = keyword.groups()
            if name in ("msgctxt", "msgid") and entry is not None and entry.msgid is not None:
                flush()
            entry = entry or PoEntry(line=number)
            if name == "msgctxt":
                entry.msgctxt, target = _literal(quoted), ("msgctxt", None)
            elif name == "msgid":
                entry.msgid, target = _literal(quoted), ("msgid", None)
            elif name == "msgid_plural":
                entry.msgid_plural, target = _literal(quoted), ("msgid_plural", None)
            else:
                slot = int(index) if index is not None else None
                entry.msgstr[slot], target = _literal(quoted), ("msgstr", slot)
            continue
        continuation = _CONTINUATION.match(line)
        if not continuation or entry is None or target is None:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
        text = _literal(continuation.group(1))
        name, slot = target
        if name == "msgstr":
            entry.msgstr[slot] += text
        else:
            setattr(entry, name, getattr(entry, name) + text)
    flush()
    return entries


def _header_fields(text: str) -> dict[str, str]:
    fields = (line.partition(":") for line in text.splitlines())
    return {k.strip(): v.strip() for k, _, v in fields if k.strip() != "POT-Creation-Date"}


def _header(entries: list[PoEntry]) -> dict[str, str]:
    head = entries[0]
    assert head.msgid == "", "the catalog must start with its header entry"
    return _header_fields(head.msgstr[None])


def _nplurals(entries: list[PoEntry]) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", _header(entries).get("Plural-Forms", ""))
    assert match, "the header has no Plural-Forms"
    return int(match.group(1))


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _marks(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER.findall(text) + _TAG.findall(text))


# --- The reader itself ------------------------------------------------------------------------


def test_reader_finds_untranslated_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.py:1\nmsgid "Done"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Hi %(name)s"\nmsgstr "Salut %(name)s"\n\n'
        'msgctxt "phone"\nmsgid "Home"\nmsgstr "Domicile"\n\n'
        'msgid "%(n)d file"\nmsgid_plural "%(n)d files"\nmsgstr[0] "%(n)d fichier"\n'
        'msgstr[1] ""\n"%(n)d fichiers"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Parti"\n',
        encoding="utf-8",
    )
    entries = po_read(po)
    assert [e.msgid for e in entries] == ["", "Done", "Hi %(name)s", "Home", "%(n)d file"]
    assert entries[1].msgstr == {None: ""}
    assert "fuzzy" in entries[2].flags
    assert entries[3].key == "phone\x04Home"
    assert entries[4].msgstr == {0: "%(n)d fichier", 1: "%(n)d fichiers"}


# --- Every catalog is complete ----------------------------------------------------------------


def test_every_app_with_strings_has_a_french_catalog():
    assert {_app(po) for po in CATALOGS} >= TRANSLATED_APPS


@pytest.mark.parametrize("po", CATALOGS, ids=_app)
def test_catalog_is_fully_translated(po):
    entries = po_read(po)
    header = _header(entries)
    assert header.get("Language") == "fr"
    nplurals = _nplurals(entries)
    problems = []
    for entry in entries:
        where = f"{po.relative_to(GROUNDSWELL)}:{entry.line} {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where} is fuzzy")
        if entry.msgid == "":
            continue
        if entry.msgid_plural is None:
            if not entry.msgstr.get(None):
                problems.append(f"{where} is not translated")
        elif sorted(k for k, v in entry.msgstr.items() if v) != list(range(nplurals)):
            problems.append(f"{where} needs all {nplurals} plural forms")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("po", CATALOGS, ids=_app)
def test_translations_keep_placeholders_and_tags(po):
    problems = []
    for entry in po_read(po)[1:]:
        assert entry.msgid is not None
        for slot, text in entry.msgstr.items():
            source = entry.msgid if slot in (None, 0) else entry.msgid_plural
            if text and _marks(text) != _marks(source or ""):
                problems.append(f"{po.relative_to(GROUNDSWELL)}:{entry.line} {text!r}")
    assert not problems, "\n".join(problems)


def test_a_msgid_shared_by_catalogs_has_one_translation():
    seen: dict[str, dict[str, str]] = {}
    for po in CATALOGS:
        for entry in po_read(po)[1:]:
            if entry.msgid_plural is None and entry.msgstr.get(None):
                seen.setdefault(entry.key, {})[_app(po)] = entry.msgstr[None]
    clashes = {key: by_app for key, by_app in seen.items() if len(set(by_app.values())) > 1}
    assert set(clashes) - KNOWN_CLASHES == set(), clashes
    assert set(clashes) >= KNOWN_CLASHES, "a known clash is fixed: remove it from KNOWN_CLASHES"


# --- Every .mo is compiled from its .po as it is now ------------------------------------------


def _expected_catalog(entries: list[PoEntry]) -> dict[str | tuple[str, int], str]:
    """What msgfmt compiles: untranslated and fuzzy entries are left out (but not the header)."""
    catalog: dict[str | tuple[str, int], str] = {}
    for entry in entries:
        if "fuzzy" in entry.flags and entry.msgid != "":
            continue
        if entry.msgid_plural is None:
            if entry.msgstr.get(None) or entry.msgid == "":
                catalog[entry.key] = entry.msgstr[None]
        elif all(entry.msgstr.values()):
            for slot, text in entry.msgstr.items():
                assert slot is not None
                catalog[(entry.key, slot)] = text
    return catalog


@pytest.mark.parametrize("po", CATALOGS, ids=_app)
def test_mo_is_compiled_from_the_current_po(po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(GROUNDSWELL)} is missing: run `make messages`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    expected = _expected_catalog(po_read(po))
    actual = dict(compiled._catalog)  # type: ignore[attr-defined]
    stale = f"{mo.relative_to(GROUNDSWELL)} is out of date: run `make messages`"
    # msgfmt drops POT-Creation-Date from the header (makemessages bumps it on every run).
    assert _header_fields(actual.pop("", "")) == _header_fields(expected.pop("", "")), stale
    assert actual == expected, stale


def test_plural_forms_follow_french_rules():
    # French uses the singular for 0 and 1; the catalog's own Plural-Forms must be honoured.
    singular, plural = "%(count)d photo removed.", "%(count)d photos removed."
    with translation.override("fr"):
        assert translation.ngettext(singular, plural, 0) == "%(count)d photo retirée."
        assert translation.ngettext(singular, plural, 1) == "%(count)d photo retirée."
        assert translation.ngettext(singular, plural, 2) == "%(count)d photos retirées."


# --- Pages in French --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """LocaleMiddleware activates the request's language for the thread and leaves it there."""
    yield
    translation.deactivate()


def _speak_french(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "fr"})
    assert response.status_code == 302


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_home_page_in_french(client):
    assert "Skip to main content" in _text(client.get("/"))
    _speak_french(client)
    page = _text(client.get("/"))
    assert '<html lang="fr">' in page
    assert "Aller au contenu principal" in page
    assert "Se connecter" in page
    assert "Changer de langue" in page
    assert '<a href="/events/campaigns/">Journées d\'action</a>' in page  # days of action
    assert "Skip to main content" not in page


@pytest.mark.django_db
def test_login_page_in_french(client):
    _speak_french(client)
    page = _text(client.get("/accounts/login/"))
    assert "Aller au contenu principal" in page
    assert "Se connecter" in page
    assert "Se souvenir de moi" in page  # allauth's own catalog
    assert "Log in" not in page


@pytest.mark.django_db
def test_profile_edit_page_in_french(member_client):
    assert "ZIP code" in _text(member_client.get("/members/me/edit/"))
    _speak_french(member_client)
    page = _text(member_client.get("/members/me/edit/"))
    assert "Code postal" in page
    assert "Modifier votre profil" in page
    assert "ZIP code" not in page


@pytest.mark.django_db
def test_member_since_date_is_in_french(member_client, member):
    User.objects.filter(pk=member.pk).update(
        date_joined=dt.datetime(2024, 3, 15, 17, tzinfo=dt.UTC)
    )
    url = f"/members/{member.pk}/"
    assert "Member since March 2024" in _text(member_client.get(url))
    _speak_french(member_client)
    assert "Membre depuis mars 2024" in _text(member_client.get(url))
