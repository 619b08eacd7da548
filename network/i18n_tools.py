"""Refresh the English catalogs: ``make extract-messages`` (python -m network.i18n_tools [names]).

Each catalog covers one part of the code: ``network/translations`` the shared modules and
templates, ``network/<feature>/translations`` one feature. New strings appear in the ``.po``
files untranslated; translate them, then ``make translations`` compiles them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def catalog_sources() -> dict[Path, list[Path]]:
    """{translations dir: the source paths whose strings it holds}."""
    features = sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    core = [p for p in PACKAGE.glob("*.py")] + [PACKAGE / "templates"]
    catalogs = {PACKAGE / "translations": core}
    for feature in features:
        catalogs[feature / "translations"] = [feature]
    return catalogs


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)  # noqa: S603


def main(only: list[str]) -> None:
    """Refresh every catalog, or only those named (``core`` or a feature's name)."""
    for directory, sources in catalog_sources().items():
        name = "core" if directory.parent == PACKAGE else directory.parent.name
        if only and name not in only:
            continue
        directory.mkdir(exist_ok=True)
        pot = directory / "messages.pot"
        pybabel("extract", "-F", "babel.cfg", "--no-location", "--sort-output", "-k", "_l",
                "-o", str(pot), *[str(s) for s in sources])
        po = directory / "en" / "LC_MESSAGES" / "messages.po"
        if po.exists():
            pybabel("update", "-i", str(pot), "-d", str(directory), "-l", "en", "--no-fuzzy-matching")
        else:
            pybabel("init", "-i", str(pot), "-d", str(directory), "-l", "en")
        pot.unlink()


if __name__ == "__main__":
    main(sys.argv[1:])
