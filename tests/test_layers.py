"""The package's layers (``.importlinter``, docs/architecture.md): every module imports only from
its own layer or the layers below it, and the web app only assembles the site.

``lint-imports`` checks the real tree; the second test adds one upward import to a copy of the
package and shows that the contract then breaks, so the first cannot pass by checking nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / ".importlinter"), "--no-cache"],
                          cwd=root, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_layers_import_only_downward() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(REPO / "tidings", tmp_path / "tidings", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / ".importlinter", tmp_path / ".importlinter")
    store_db = tmp_path / "tidings" / "store" / "db.py"
    store_db.write_text(store_db.read_text(encoding="utf-8") + "\nfrom tidings.cli import get_config  # upward\n",
                        encoding="utf-8")
    pages = tmp_path / "tidings" / "publish" / "web" / "pages.py"
    pages.write_text(pages.read_text(encoding="utf-8") + "\nfrom tidings.publish.web import app  # the assembly\n",
                     encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "0 kept, 2 broken" in result.stdout
    assert "tidings.store.db -> tidings.cli" in result.stdout
