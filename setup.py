"""Compiles the translation catalogs when the package is built or installed.

Everything else is declared in pyproject.toml. The catalogs (``django.mo``) are generated from
the fragments, so they are not kept in git; building a wheel compiles them into it, and an
editable install compiles them in the source tree, so the installed app never has to write into
its own package to serve.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _i18n_build():  # type: ignore[no-untyped-def]
    # Loaded by path: importing the package would need its dependencies at build time.
    path = HERE / "src" / "callgrade" / "web" / "i18n_build.py"
    spec = importlib.util.spec_from_file_location("_callgrade_i18n_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithCatalogs(build_py):
    """The ordinary build, then the compiled catalogs next to the fragments it copied."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            locale = Path(self.get_package_dir("callgrade.web")) / "locale"
        else:
            locale = Path(self.build_lib) / "callgrade" / "web" / "locale"
        for path in _i18n_build().build(locale):
            self.announce(f"compiled {path}", level=2)


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildPyWithCatalogs})
