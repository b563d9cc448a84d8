"""Compile the translation catalogs: merge ``locale/<lang>/fragments/*.po`` into
``locale/<lang>/LC_MESSAGES/django.po`` and compile it to ``django.mo``.

Each area of the app keeps its strings in its own fragment so they can be edited independently;
compiling is pure Python (polib), so a fresh machine needs no GNU gettext.

The catalogs are compiled when the package is built or installed (``setup.py`` runs
:func:`build` into the wheel, or into the source tree for an editable install) and after editing
a fragment (``python -m callgrade.web.i18n_build``); serving never writes into the package, which
may be read-only. :func:`require_current` refuses to start with a catalog missing or older than
its fragments instead of showing untranslated pages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent / "locale"


def merged(lang_dir: Path) -> polib.POFile:
    """All fragments of one language as one catalog; a msgid translated twice differently is an
    error, so two areas cannot silently disagree."""
    out = polib.POFile()
    out.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": lang_dir.name.replace("_", "-"),
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    seen: dict[tuple[str | None, str], str] = {}
    for frag in sorted((lang_dir / "fragments").glob("*.po")):
        for entry in polib.pofile(str(frag)):
            text = entry.msgstr or " | ".join(v for _, v in sorted(entry.msgstr_plural.items()))
            if entry.obsolete or not text:
                continue
            key = (entry.msgctxt, entry.msgid)
            if key in seen:
                if seen[key] != text:
                    raise ValueError(
                        f"{frag.name}: {entry.msgid!r} is translated as {text!r} here "
                        f"and as {seen[key]!r} in another fragment"
                    )
                continue
            seen[key] = text
            out.append(
                polib.POEntry(
                    msgctxt=entry.msgctxt,
                    msgid=entry.msgid,
                    msgstr=entry.msgstr,
                    msgid_plural=entry.msgid_plural,
                    msgstr_plural=entry.msgstr_plural,
                )
            )
    return out


def _languages(locale: Path) -> list[Path]:
    return sorted(p for p in locale.iterdir() if (p / "fragments").is_dir())


def stale(locale: Path = LOCALE) -> list[Path]:
    """The compiled catalogs that are missing or differ from what their fragments compile to."""
    out = []
    for lang_dir in _languages(locale):
        mo = lang_dir / "LC_MESSAGES" / "django.mo"
        if not mo.is_file() or mo.read_bytes() != merged(lang_dir).to_binary():
            out.append(mo)
    return out


def require_current(locale: Path = LOCALE) -> None:
    """Stop with instructions if a compiled catalog is missing or out of date (reads only)."""
    if missing := stale(locale):
        raise SystemExit(
            "translation catalogs missing or out of date: "
            + ", ".join(str(p) for p in missing)
            + "\ncompile them with: python -m callgrade.web.i18n_build (or reinstall the package)"
        )


def build(locale: Path = LOCALE) -> list[Path]:
    written = []
    for lang_dir in _languages(locale):
        catalog = merged(lang_dir)
        target = lang_dir / "LC_MESSAGES"
        target.mkdir(exist_ok=True)
        # Write aside and rename: a process reading the catalog never sees half a file.
        for name, save in (("django.po", catalog.save), ("django.mo", catalog.save_as_mofile)):
            tmp = target / f".{name}.{os.getpid()}.tmp"
            save(str(tmp))
            os.replace(tmp, target / name)
        written.append(target / "django.mo")
    return written


if __name__ == "__main__":
    for path in build():
        print(f"compiled {path}", file=sys.stderr)
