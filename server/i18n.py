"""UI text through gettext: English in the source, translations in web/locale/<lang>/messages.po.

Catalogs are compiled in memory at start-up (no .mo files to build or commit). The messages a
page script needs are the ones Babel's extractor found in a .js file (web/locale/messages.pot,
written by server/messages.py): each page gets them translated, plural ones by CLDR category so
that the script picks the form with `Intl.PluralRules`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from babel import Locale
from babel.dates import (
    format_date,
    format_datetime,
    format_time,
    get_timezone_gmt,
    get_timezone_location,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from starlette.requests import Request

import web

LANGUAGES = ("vi", "en", "zh")
LANG_COOKIE = "jf_lang"
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"  # pages without a fair (the index) show times in it
# the page's `lang` attribute: scripts format dates and money by it (zh is Simplified Chinese)
HTML_LANG = {"vi": "vi", "en": "en", "zh": "zh-CN"}
LOCALE = web.ROOT / "locale"

Message = str | tuple[str, ...]  # a plural message: (singular, plural)


def _compile(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def script_messages() -> list[Message]:
    """The messages Babel's extractor found in page scripts."""
    with (LOCALE / "messages.pot").open("rb") as f:
        template = read_po(f)
    return [
        m.id if isinstance(m.id, str) else tuple(m.id)
        for m in template
        if m.id and any(filename.endswith(".js") for filename, _line in m.locations)
    ]


class Catalogs:
    """Every language's compiled catalog, and what each page hands its scripts."""

    def __init__(self) -> None:
        self.translations = {lang: _compile(lang) for lang in LANGUAGES}
        scripts = script_messages()
        self._for_scripts = {lang: self._script_table(lang, scripts) for lang in LANGUAGES}

    def gettext(self, lang: str) -> Callable[[str], str]:
        return self.translations.get(lang, self.translations["en"]).gettext

    def ngettext(self, lang: str) -> Callable[[str, str, int], str]:
        """`ngettext("{n} fair", "{n} fairs", n)` with `{n}` written as the language writes it."""
        translations = self.translations.get(lang, self.translations["en"])

        def ngettext(singular: str, plural: str, n: int) -> str:
            return translations.ngettext(singular, plural, n).replace(
                "{n}", format_decimal(n, locale=lang)
            )

        return ngettext

    def for_scripts(self, lang: str) -> dict[str, Any]:
        return self._for_scripts.get(lang, self._for_scripts["en"])

    def _script_table(self, lang: str, messages: list[Message]) -> dict[str, Any]:
        translations = self.translations[lang]
        rule = Locale.parse(lang).plural_form
        table: dict[str, Any] = {}
        for message in messages:
            if isinstance(message, str):
                table[message] = translations.gettext(message)
                continue
            singular, plural = message[0], message[1]
            forms: dict[str, str] = {}
            for n in range(0, 200):  # a number of every CLDR category of the language
                forms.setdefault(rule(n), translations.ngettext(singular, plural, n))
            table[singular] = forms
        return table


def choose_language(request: Request, default: str) -> str:
    """`?lang=` wins, then the cookie a previous choice set, then the browser's Accept-Language
    among our languages, then the fair's language."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    accepted = browser_language(request.headers.get("accept-language", ""))
    if accepted is not None:
        return accepted
    return default if default in LANGUAGES else LANGUAGES[0]


def browser_language(header: str) -> str | None:
    """The first of our languages in an Accept-Language header, by its q-values (`zh-CN`,
    `zh-TW` and `zh` all read Simplified Chinese here: the nearest we have)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else None


def zone_name(zone: tzinfo, lang: str, at: datetime) -> str:
    """The fair's zone as its pages name it: "Giờ Việt Nam (GMT+07:00)", "UTC"."""
    key = str(getattr(zone, "key", zone))
    if key in ("UTC", "Etc/UTC"):
        return "UTC"
    location = get_timezone_location(zone, locale=lang)
    return f"{location} ({get_timezone_gmt(at.astimezone(zone), locale=lang)})"


class FairClock:
    """Dates and times of one fair for a page: in the fair's zone (never the server's or the
    reader's clock), written as the page's language writes them, the zone named."""

    def __init__(self, zone: tzinfo, lang: str) -> None:
        self.zone, self.lang = zone, lang
        self.key = str(getattr(zone, "key", zone))

    def day(self, at: datetime) -> str:
        return format_date(at.astimezone(self.zone), "full", locale=self.lang)

    def time(self, at: datetime) -> str:
        return format_time(at, "short", tzinfo=self.zone, locale=self.lang)

    def when(self, at: datetime) -> str:
        return format_datetime(at, "short", tzinfo=self.zone, locale=self.lang)

    def local_input(self, at: datetime) -> str:
        """The value of a datetime-local input: the wall-clock time in the fair's zone."""
        return at.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")

    def name(self, at: datetime) -> str:
        return zone_name(self.zone, self.lang, at)
