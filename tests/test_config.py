"""The README's configuration table names every environment variable config.py reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_documents_every_setting():
    source = (ROOT / "config.py").read_text()
    read = set(re.findall(r'(?:environ\.get|_bool|_int|_float)\(\s*"([A-Z][A-Z0-9_]+)"', source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read  # the pattern still matches
    readme = (ROOT / "README.md").read_text()
    first_cells = re.findall(r"^\|([^|]+)\|", readme, re.MULTILINE)
    documented = {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}
    assert read - documented == set(), "add these to README.md's configuration table"
