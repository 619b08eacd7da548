"""The layering of ``../shared/STYLE.md``, checked on the code itself.

Bottom to top: the core modules (``network/*.py`` and the ``network/fulltext`` package: extensions,
db, permissions, cache, outbox, …), then accounts, notifications (which notifies accounts'
users), resources, forums and events (independent of each other), chat, followup (which reads the
activity of every feature below it, chat included), search, and the integration packages api and
deploy. A module may import its own feature and anything below; ``network/__init__.py``
(``create_app``) alone sees everything.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "network"
LAYERS = {
    "accounts": 1, "notifications": 2, "resources": 3, "forums": 4, "events": 4, "chat": 5,
    "followup": 6, "search": 7, "api": 8, "deploy": 8,
}
CORE_PACKAGES = {"fulltext"}
OUTSIDE_THE_LAYERS = {"__init__.py", "__main__.py", "i18n_tools.py"}  # the factory and tools


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every ``network`` module a file imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "network":
                found += [(node.lineno, f"network.{alias.name}") for alias in node.names]
            elif node.module.startswith("network."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("network.")]
    return found


def layer_of(path: Path) -> tuple[str, int] | None:
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) == 1:
        return None if relative.name in OUTSIDE_THE_LAYERS else ("core", 0)
    top = relative.parts[0]
    if top in CORE_PACKAGES:
        return ("core", 0)
    return (top, LAYERS[top]) if top in LAYERS else None


def target_layer(module: str) -> tuple[str, int]:
    top = module.split(".")[1]
    if top in LAYERS:
        return top, LAYERS[top]
    return "core", 0


def test_every_feature_package_has_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages - CORE_PACKAGES == set(LAYERS)


def test_modules_import_only_their_own_feature_and_what_lies_below():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = layer_of(path)
        if own is None:
            continue
        name, level = own
        for line, module in imported_modules(path):
            target, target_level = target_layer(module)
            if target != name and target_level >= level:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    assert wrong == [], "imports against the layering:\n" + "\n".join(wrong)


CORE_MODULES = sorted(
    f"network.{p.stem}" for p in PACKAGE.glob("*.py") if p.name not in OUTSIDE_THE_LAYERS
) + ["network.fulltext"]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_modules_import_with_every_feature_unimportable(module):
    """A fresh interpreter in which importing any feature package fails: the core still loads."""
    features = sorted(LAYERS)
    script = textwrap.dedent(f"""
        import importlib, sys
        FEATURES = {features!r}

        class NoFeatures:
            def find_spec(self, name, path=None, target=None):
                parts = name.split(".")
                if len(parts) > 1 and parts[0] == "network" and parts[1] in FEATURES:
                    raise ImportError("feature " + name + " is not available here")
                return None

        sys.meta_path.insert(0, NoFeatures())
        importlib.import_module({module!r})
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
