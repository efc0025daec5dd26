"""scripts/setup.sh needs only Python and Go: mongosh, which needs npm, is optional."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.crawl import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "scripts"
# What install-mongosh.sh runs before it looks for npm.
TOOLS = ("dirname", "grep", "mkdir")


def without_npm(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of install-mongosh.sh in a fresh tree (no .tools/mongosh) and a PATH with no npm on it."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(SCRIPTS / "install-mongosh.sh", root / "scripts" / "install-mongosh.sh")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_dir / tool).symlink_to(found)
    return root, {"PATH": str(bin_dir)}


def test_setup_installs_mongosh_only_as_an_option() -> None:
    lines = (SCRIPTS / "setup.sh").read_text(encoding="utf-8").splitlines()
    calls = [line for line in lines if "install-mongosh.sh" in line and not line.startswith("#")]
    assert len(calls) == 1
    assert calls[0].startswith("bash scripts/install-mongosh.sh --optional")


def test_without_npm_the_optional_install_says_what_mongosh_would_add(tmp_path: Path) -> None:
    root, env = without_npm(tmp_path)
    bash = shutil.which("bash")
    assert bash is not None
    script = str(root / "scripts" / "install-mongosh.sh")
    optional = subprocess.run([bash, script, "--optional"], env=env, capture_output=True, text=True, timeout=60)
    assert optional.returncode == 0, optional.stderr
    lines = optional.stderr.splitlines()
    assert len(lines) == 1, optional.stderr
    assert "npm is not installed" in lines[0] and "docs/querying.md" in lines[0]
    assert not (root / ".tools").exists()
    # Asked for by name, mongosh without npm is an error.
    required = subprocess.run([bash, script], env=env, capture_output=True, text=True, timeout=60)
    assert required.returncode == 1
    assert required.stderr == "install-mongosh: npm is not installed (Debian: apt-get install npm)\n"
