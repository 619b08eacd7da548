"""Every user-facing string has an English translation in the catalog that owns it.

The strings are extracted from the code the way ``make extract-messages`` does (babel's extract
API, babel.cfg's mapping, ``_l`` as an extra keyword), per catalog as ``network.i18n_tools``
assigns the code to catalogs. A catalog is checked once it exists and holds at least one
translation: a feature that has started its English catalog must keep it complete, while a
feature whose catalog is still empty is reported by the skip, not failed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.util import pathmatch

from network.i18n_tools import PACKAGE, ROOT, catalog_sources

KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}


def _mapping():
    with open(ROOT / "babel.cfg") as cfg:
        return parse_mapping_cfg(cfg)


def extract_msgids(sources: list[Path]) -> dict[str, str]:
    """{msgid: where it was found} for the given files and directories."""
    method_map, options_map = _mapping()
    found: dict[str, str] = {}

    def add(filename, message, lineno):
        msgid = message[0] if isinstance(message, tuple | list) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")

    for source in sources:
        if source.is_dir():
            for filename, lineno, message, _comments, _context in extract_from_dir(
                    str(source), method_map, options_map, keywords=KEYWORDS):
                add(Path(source, filename).relative_to(ROOT), message, lineno)
        else:
            relative = source.relative_to(ROOT).as_posix()
            method = next((m for pattern, m in method_map if pathmatch(pattern, relative)), None)
            if method is None or method == "ignore":
                continue
            for lineno, message, _comments, _context in extract_from_file(
                    method, str(source), keywords=KEYWORDS):
                add(relative, message, lineno)
    return found


def catalog_name(directory: Path) -> str:
    return "core" if directory.parent == PACKAGE else directory.parent.name


CATALOGS = sorted(catalog_sources().items())


@pytest.mark.parametrize("directory, sources", CATALOGS, ids=[catalog_name(d) for d, _ in CATALOGS])
def test_catalog_translates_every_string_of_its_code(directory: Path, sources: list[Path]):
    po_path = directory / "en" / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        pytest.skip(f"{catalog_name(directory)} has no English catalog yet")
    with open(po_path, "rb") as po:
        catalog = read_po(po, locale="en")
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog
        if m.id and "fuzzy" not in m.flags
        and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    if not translated:
        pytest.skip(f"{catalog_name(directory)}'s English catalog has no translations yet")

    missing = {msgid: where for msgid, where in extract_msgids(sources).items()
               if msgid not in translated}
    assert not missing, (
        f"{po_path.relative_to(ROOT)} lacks English (empty or fuzzy) for {len(missing)} strings; "
        f"run 'make extract-messages ONLY={catalog_name(directory)}' and translate:\n"
        + "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items()))
    )


def test_extraction_finds_the_strings_of_the_base_layout():
    # Guards the test above against silently extracting nothing.
    found = extract_msgids([PACKAGE / "templates"])
    assert "Hoppa till innehållet" in found and "Huvudmeny" in found
    assert "Sidan hittades inte" in extract_msgids([PACKAGE / "errors.py"])


def test_a_string_has_the_same_english_in_every_catalog():
    # At run time the catalogs are merged and one wins: two translations of the same Swedish
    # string would make a page's words depend on which features are installed.
    seen: dict[str, tuple[str, str]] = {}
    conflicts = []
    for directory, _sources in CATALOGS:
        po_path = directory / "en" / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        with open(po_path, "rb") as po:
            for m in read_po(po, locale="en"):
                if not m.id or not m.string or isinstance(m.id, tuple) or "fuzzy" in m.flags:
                    continue
                name = catalog_name(directory)
                if m.id in seen and seen[m.id][1] != m.string:
                    conflicts.append(f"{m.id!r}: {seen[m.id][0]} {seen[m.id][1]!r}, {name} {m.string!r}")
                seen.setdefault(m.id, (name, m.string))
    assert not conflicts, "translate shared strings alike:\n" + "\n".join(conflicts)
