"""The scrapyd entrypoint's bookkeeping of deployed versions: deploy only changed code, keep a few.

Usage (the entrypoint runs it with the scrapyd image's Python; the project is not installed
there, so its scrapyd client is imported from the source tree beside this file):

- ``versions.py fingerprint``: print a hash of the code that goes into the egg;
- ``versions.py has VERSION``: exit 0 when scrapyd lists VERSION of the project, else 1;
- ``versions.py prune KEEP``: remove all but the newest KEEP versions, printing each removed.

The scrapyd URL and credentials come from SCRAPYD_URL, SCRAPYD_USERNAME and SCRAPYD_PASSWORD.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arabpress.scrapyd import ScrapydClient

PROJECT_DIR = Path(__file__).resolve().parents[1]
PROJECT = "arabpress"
# What the egg is built from (setup.py and pyproject.toml say what is packed).
SOURCES = ("arabpress", "pyproject.toml", "setup.py")
# Generated files that are not part of the egg.
SKIPPED_PARTS = ("__pycache__",)


def fingerprint(root: Path = PROJECT_DIR) -> str:
    """Return a hash of every source file of the egg: names and contents, in a fixed order."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for name in SOURCES:
        path = root / name
        files += sorted(path.rglob("*")) if path.is_dir() else [path]
    for path in files:
        if path.is_file() and not any(part in SKIPPED_PARTS for part in path.parts) and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def client() -> ScrapydClient:
    """Return the project's scrapyd client for SCRAPYD_URL with the API credentials."""
    sys.path.insert(0, str(PROJECT_DIR))
    from arabpress.scrapyd import ScrapydClient  # from the source tree, see the docstring

    return ScrapydClient(
        os.environ["SCRAPYD_URL"], os.environ.get("SCRAPYD_USERNAME", ""), os.environ.get("SCRAPYD_PASSWORD", "")
    )


def main(argv: list[str]) -> int:
    """Run one of the subcommands; return the exit status."""
    if argv[:1] == ["fingerprint"] and len(argv) == 1:
        print(fingerprint())
        return 0
    if argv[:1] == ["has"] and len(argv) == 2:
        return 0 if argv[1] in client().versions(PROJECT) else 1
    if argv[:1] == ["prune"] and len(argv) == 2:
        scrapyd = client()
        keep = int(argv[1])
        versions = scrapyd.versions(PROJECT)
        for version in versions[: max(0, len(versions) - keep)]:
            scrapyd.delete_version(PROJECT, version)
            print(version)
        return 0
    print("usage: versions.py fingerprint | has VERSION | prune KEEP", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
