"""The UI's message catalog: Babel's extractors find every message (templates, page scripts, report
labels; babel.cfg says where), write web/locale/messages.pot and bring each language's .po in step.

Run `python -m server.messages` after changing a UI string, then translate what it lists.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # no date churn in the .pot
ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "web" / "locale"
POT = LOCALE / "messages.pot"
TRANSLATED = ("vi", "zh")  # English is the source language
# t("...") and tn("one", "many", n) in page scripts
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "tn": (1, 2)}


def extract() -> Catalog:
    """Every message Babel's extractors find, with the files that use it (no line numbers: a
    moved line is not a catalog change)."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    catalog = Catalog(project="jobfair", charset="utf-8", creation_date=FIXED_DATE)
    found = extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    )
    for filename, _lineno, message, comments, context in found:
        known = catalog.get(message, context)
        if known is None:
            catalog.add(message, None, [(filename, 0)], auto_comments=comments, context=context)
        elif (filename, 0) not in known.locations:
            known.locations.append((filename, 0))
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def write(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)


def update() -> dict[str, list[str]]:
    """Write the .pot and update each .po from it; returns each language's untranslated ids."""
    template = extract()
    write(template, POT)
    missing: dict[str, list[str]] = {}
    for lang in TRANSLATED:
        catalog = Catalog(locale=lang, project="jobfair", creation_date=FIXED_DATE)
        if po_path(lang).exists():
            with po_path(lang).open("rb") as f:
                catalog = read_po(f, locale=lang)
        po_path(lang).parent.mkdir(parents=True, exist_ok=True)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        write(catalog, po_path(lang))
        missing[lang] = [str(m.id) for m in catalog if m.id and not _translated(m.string)]
    return missing


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def main() -> int:
    missing = update()
    for lang, ids in missing.items():
        for msgid in ids:
            print(f"{lang}: untranslated: {msgid}")
    return 1 if any(missing.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
