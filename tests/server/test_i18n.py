"""Every UI string (templates and page scripts) has a Vietnamese translation."""

from __future__ import annotations

import re

import web
from server.i18n import JS_MESSAGES, load_catalogs


def ui_strings() -> set[str]:
    found = set(JS_MESSAGES) | {"worker", "recruiter", "moderator"}
    for template in (web.ROOT / "templates").glob("*.html"):
        found |= set(re.findall(r'_\("([^"]+)"\)', template.read_text()))
    return found


def test_every_ui_string_is_translated_to_vietnamese() -> None:
    vi = load_catalogs()["vi"]
    missing = sorted(s for s in ui_strings() if vi.gettext(s) == s)
    assert missing == []


def test_page_scripts_only_use_strings_the_server_translates() -> None:
    used = set()
    for script in (web.ROOT / "static" / "js").glob("*.js"):
        used |= set(re.findall(r'\bt\("([^"]+)"\)', script.read_text()))
    assert sorted(used - set(JS_MESSAGES)) == []
