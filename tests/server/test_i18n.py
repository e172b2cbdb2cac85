"""Every UI message is found by Babel's extractors and translated into Vietnamese and Chinese;
pages pick their language from the person's choice, their browser, then the fair."""

from __future__ import annotations

import re

import httpx
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from server.i18n import Catalogs, browser_language
from server.messages import POT, TRANSLATED, extract, po_path
from tests.clients import Fixture

# Chinese entries that may equal their English source: names of formats, sizes and the like.
SAME_IN_ZH: set[str] = set()
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def catalog(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def forms(string: object) -> list[str]:
    return list(string) if isinstance(string, tuple | list) else [str(string or "")]


def test_the_pot_holds_exactly_what_babel_extracts() -> None:
    """A string added to a template or a script without re-running server/messages.py fails."""
    with POT.open("rb") as f:
        kept = {m.id for m in read_po(f) if m.id}
    found = {m.id for m in extract() if m.id}
    assert sorted(map(str, found - kept)) == [] and sorted(map(str, kept - found)) == []


def test_every_message_is_translated_in_every_language() -> None:
    with POT.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    for lang in TRANSLATED:
        translated = {m.id: forms(m.string) for m in catalog(lang) if m.id and not m.fuzzy}
        missing = sorted(str(i) for i in wanted if not all(translated.get(i, [""])))
        assert missing == [], lang


def test_no_chinese_entry_is_left_in_english() -> None:
    left = [
        str(m.id)
        for m in catalog("zh")
        if m.id
        and any(f == s for f, s in zip(forms(m.string), forms(m.id), strict=False))
        and str(m.id) not in SAME_IN_ZH
    ]
    assert left == []


def test_translations_keep_their_placeholders() -> None:
    for lang in TRANSLATED:
        for m in catalog(lang):
            if not m.id:
                continue
            wanted = set(PLACEHOLDER.findall(forms(m.id)[-1]))
            for form in forms(m.string):
                assert set(PLACEHOLDER.findall(form)) == wanted, (lang, m.id, form)


def test_page_scripts_get_their_messages_from_the_extracted_catalog() -> None:
    catalogs = Catalogs()
    zh = catalogs.for_scripts("zh")
    assert zh["connecting…"] == "连接中…"  # t("...") in client.js
    assert zh["{n} opening"] == {"other": "招 {n} 人"}  # tn(...): one form in Chinese
    en = catalogs.for_scripts("en")
    assert en["{n} opening"] == {"one": "{n} opening", "other": "{n} openings"}
    assert "Sign out" not in zh  # templates' messages stay on the server
    assert catalogs.ngettext("en")("{n} fair", "{n} fairs", 1200) == "1,200 fairs"


def test_the_browser_language_is_the_first_of_ours_by_quality() -> None:
    assert browser_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert browser_language("fr-FR,fr;q=0.9,en-US;q=0.5,vi;q=0.7") == "vi"
    assert browser_language("en;q=0.2, zh-TW") == "zh"
    assert browser_language("fr, de;q=0.5") is None
    assert browser_language("en;q=0, bogus;q=x") is None


async def test_a_page_speaks_the_choice_then_the_browser_then_the_fair(fx: Fixture) -> None:
    lobby = f"{fx.base}/fairs/{fx.fair.id}"
    async with httpx.AsyncClient() as client:
        fair_default = await client.get(lobby)  # the fair's language: vi
        browser = await client.get(lobby, headers={"accept-language": "zh-CN,zh;q=0.9"})
        chosen = await client.get(
            lobby, headers={"accept-language": "zh-CN"}, cookies={"jf_lang": "en"}
        )
    assert '<html lang="vi">' in fair_default.text and "Tham gia phiên này" in fair_default.text
    assert '<html lang="zh-CN">' in browser.text and "参加本次招聘会" in browser.text
    assert '<html lang="en">' in chosen.text and "Join this fair" in chosen.text
    assert "accept-language" in browser.headers["vary"].lower()


async def test_a_refused_page_is_a_translated_page_and_an_api_refusal_a_code(
    fx: Fixture,
) -> None:
    async with httpx.AsyncClient(base_url=fx.base) as client:
        page = await client.get(
            "/fairs/nope", headers={"accept": "text/html", "accept-language": "zh"}
        )
        api = await client.get("/api/fairs/nope", headers={"accept": "text/html"})
    assert page.status_code == 404 and 'data-code="not_found"' in page.text
    assert "此页面不存在或已删除。" in page.text
    assert api.status_code == 401 and api.json()["error"] == "unauthenticated"
