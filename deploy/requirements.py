"""Print the project's dependencies, one per line, for ``pip install -r``.

The scrapyd image installs the dependencies but not the project: the project arrives as
the deployed egg, and an installed copy would shadow it. Usage:
``python deploy/requirements.py [EXTRA ...] > requirements.txt``.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def requirements(extras: list[str]) -> list[str]:
    """Return the runtime dependencies plus those of *extras*."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    unknown = [extra for extra in extras if extra not in optional]
    if unknown:
        raise SystemExit(f"requirements.py: no such extra in pyproject.toml: {', '.join(unknown)}")
    found = list(project.get("dependencies", []))
    for extra in extras:
        found += optional[extra]
    return found


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1:])))
