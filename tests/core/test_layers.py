"""The layers contract (pyproject.toml [tool.importlinter]) is real: an upward import breaks it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_sources(dest: Path) -> None:
    for package in ("apps", "dangjian"):
        shutil.copytree(ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    _copy_sources(tmp_path)
    assert _lint(tmp_path).returncode == 0, "the project itself keeps the contract"
    (tmp_path / "apps" / "notifications" / "upward_probe.py").write_text(
        "from apps.members.models import Member  # notifications must not know the roster\n"
    )
    (tmp_path / "apps" / "core" / "upward_probe.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:  # allowed: type hints only\n"
        "    from apps.supervision.models import Letter\n"
    )
    (tmp_path / "apps" / "responsibility" / "sibling_probe.py").write_text("import apps.funding.urls  # a sibling\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "apps.notifications is not allowed to import apps.members" in result.stdout
    assert "apps.notifications.upward_probe -> apps.members.models" in result.stdout
    assert "apps.responsibility.sibling_probe -> apps.funding.urls" in result.stdout
    assert "apps.core.upward_probe" not in result.stdout
