"""The scrapyd entrypoint deploys a new version only when the code changed, and keeps the newest few."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.scrapydproc import PROJECT_ROOT, ScrapydProcess

# What the entrypoint needs of the project to build and deploy the egg.
PROJECT_FILES = ("arabpress", "deploy", "pyproject.toml", "setup.py", "scrapy.cfg", "README.md")


def project_copy(root: Path) -> Path:
    """Copy the project's deployable files to *root*; return the copy's entrypoint."""
    for name in PROJECT_FILES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, root / name)
    return root / "deploy" / "scrapyd-entrypoint.sh"


def change_code(root: Path, mark: int) -> None:
    """Change the copy's code as a new release would."""
    with (root / "arabpress" / "defaults.py").open("a", encoding="utf-8") as handle:
        handle.write(f"# release {mark}\n")


def test_deploys_changed_code_only_and_keeps_the_newest_versions(tmp_path: Path) -> None:
    entrypoint = project_copy(tmp_path / "project")
    server = ScrapydProcess(tmp_path / "home", env={"SCRAPYD_KEEP_VERSIONS": "2"}, entrypoint=entrypoint)
    seen: list[list[str]] = []
    try:
        for start in range(4):
            if start >= 2:  # the first two starts run the same code
                change_code(tmp_path / "project", start)
            server.start()
            seen.append(server.api("listversions.json", project="arabpress")["versions"])
            server.stop()
    finally:
        server.stop()
    first, same, changed, changed_again = seen
    assert len(first) == 1
    assert same == first
    assert len(changed) == 2 and changed[0] == first[0]
    # Pruned to the newest two, in deploy order; jobs run the last.
    assert changed_again[0] == changed[1] and len(changed_again) == 2
    assert changed_again[1] not in changed
    log = server.log_text()
    assert log.count("its code unchanged") == 1
    assert log.count("deployed (new version ") == 3
    assert f"removed version {first[0]} (keeping the newest 2)" in log
    eggs = sorted(path.stem for path in (server.home / "eggs" / "arabpress").glob("*.egg"))
    assert eggs == sorted(changed_again)
