"""The package's layers (``.importlinter``, docs/architecture.md): every module imports only from
its own layer or the layers below it, the web app only assembles the site, and no test imports the
benchmarks (a benchmark may import the package and the tests' helpers, never the reverse).

``lint-imports`` checks the real tree; the second test adds one forbidden import per contract to a
copy of the tree and shows that each contract then breaks, so the first cannot pass by checking nothing."""

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
    assert "3 kept, 0 broken" in result.stdout


def _python_only(folder: str, names: list[str]) -> list[str]:
    """For copytree: skip everything but Python sources and folders (data, caches)."""
    return [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir() or n == "__pycache__"]


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    for package in ("tidings", "tests", "benchmarks"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=_python_only)
    shutil.copy(REPO / ".importlinter", tmp_path / ".importlinter")
    store_db = tmp_path / "tidings" / "store" / "db.py"
    store_db.write_text(store_db.read_text(encoding="utf-8") + "\nfrom tidings.cli import get_config  # upward\n",
                        encoding="utf-8")
    pages = tmp_path / "tidings" / "publish" / "web" / "pages.py"
    pages.write_text(pages.read_text(encoding="utf-8") + "\nfrom tidings.publish.web import app  # the assembly\n",
                     encoding="utf-8")
    test = tmp_path / "tests" / "test_config.py"
    test.write_text(test.read_text(encoding="utf-8") + "\nfrom benchmarks import duc  # a test on a benchmark\n",
                    encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "0 kept, 3 broken" in result.stdout
    assert "tidings.store.db -> tidings.cli" in result.stdout
    assert "tests.test_config -> benchmarks.duc" in result.stdout
