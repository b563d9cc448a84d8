"""The translation catalogs are compiled when the package is built or installed, and serving
never writes into the package (an installed package may be read-only)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from callgrade.web import i18n_build

# About the files the app serves, not its database: run in one pass (scripts/test.sh).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "callgrade"


def _setup_module(root: Path = ROOT) -> Any:
    spec = importlib.util.spec_from_file_location("callgrade_setup", root / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_building_the_package_compiles_the_catalogs_into_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from setuptools import Distribution

    monkeypatch.chdir(ROOT)
    dist = Distribution(
        {
            "name": "callgrade",
            "package_dir": {"": "src"},
            "packages": ["callgrade", "callgrade.web"],
            "package_data": {"callgrade": ["web/locale/**/*.po"]},
            "script_name": "setup.py",
        }
    )
    command = _setup_module().BuildPyWithCatalogs(dist)
    command.build_lib = str(tmp_path)
    command.ensure_finalized()
    command.run()
    built = tmp_path / "callgrade" / "web" / "locale"
    mo = built / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    assert mo.is_file()
    assert mo.read_bytes() == i18n_build.merged(i18n_build.LOCALE / "zh_Hans").to_binary()
    assert i18n_build.stale(built) == []


def test_an_editable_install_compiles_them_in_the_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from setuptools import Distribution

    web = tmp_path / "src" / "callgrade" / "web"
    shutil.copytree(i18n_build.LOCALE / "zh_Hans" / "fragments", web / "locale/zh_Hans/fragments")
    shutil.copy(PACKAGE / "web" / "i18n_build.py", web)
    shutil.copy(ROOT / "setup.py", tmp_path)
    monkeypatch.chdir(tmp_path)
    dist = Distribution(
        {"name": "callgrade", "package_dir": {"": "src"}, "packages": ["callgrade.web"]}
    )
    command = _setup_module(tmp_path).BuildPyWithCatalogs(dist)
    command.editable_mode = True
    command.ensure_finalized()
    command.run()
    assert i18n_build.stale(web / "locale") == []


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
        if "__pycache__" not in p.parts
    }


def _prepare(src: Path, data: Path) -> subprocess.CompletedProcess[str]:
    data.mkdir(exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CALLGRADE_", "DJANGO_"))},
        "PYTHONPATH": str(src),
        "PYTHONDONTWRITEBYTECODE": "1",
        "CALLGRADE_COLLECTED_STATIC": "0",  # collecting writes into the data directory only
    }
    env.pop("DATABASE_URL", None)
    code = "import sys; from pathlib import Path; from callgrade.web import launch; "
    code += "launch.prepare(Path(sys.argv[1]))"
    return subprocess.run(
        [sys.executable, "-c", code, str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """A copy of the package as an install leaves it: catalogs compiled, then read-only."""
    src = tmp_path / "site"
    shutil.copytree(PACKAGE, src / "callgrade", ignore=shutil.ignore_patterns("__pycache__"))
    i18n_build.build(src / "callgrade" / "web" / "locale")
    return src


def test_serving_never_writes_into_the_package(installed: Path, tmp_path: Path) -> None:
    package = installed / "callgrade"
    before = _tree(package)
    modes = {p: p.stat().st_mode for p in [package, *package.rglob("*")]}
    for p in modes:
        p.chmod(modes[p] & ~0o222)
    try:
        result = _prepare(installed, tmp_path / "data")
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert result.returncode == 0, result.stderr[-3000:]
    # Root ignores the read-only bits, so also compare every file's time and size.
    assert _tree(package) == before
    assert (tmp_path / "data" / "callgrade.sqlite3").is_file()


def test_serving_refuses_a_missing_catalog_instead_of_compiling_it(
    installed: Path, tmp_path: Path
) -> None:
    mo = installed / "callgrade" / "web" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    mo.unlink()
    result = _prepare(installed, tmp_path / "data")
    assert result.returncode != 0
    assert "python -m callgrade.web.i18n_build" in result.stderr
    assert not mo.exists()


def test_a_catalog_older_than_its_fragments_is_stale(tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(i18n_build.LOCALE / "zh_Hans" / "fragments", locale / "zh_Hans" / "fragments")
    assert i18n_build.stale(locale) == [locale / "zh_Hans" / "LC_MESSAGES" / "django.mo"]
    i18n_build.build(locale)
    assert i18n_build.stale(locale) == []
    with (locale / "zh_Hans" / "fragments" / "common.po").open("a", encoding="utf-8") as f:
        f.write('\nmsgid "A string added later"\nmsgstr "后来加的字符串"\n')
    assert len(i18n_build.stale(locale)) == 1
