"""Compile the translation catalogs: merge ``locale/<lang>/fragments/*.po`` into
``locale/<lang>/LC_MESSAGES/django.po`` and compile it to ``django.mo``.

Each area of the app keeps its strings in its own fragment so they can be edited independently;
compiling is pure Python (polib), so a fresh machine needs no GNU gettext. The build runs this
before serving or testing: ``python -m callgrade.web.i18n_build``.
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


def build(locale: Path = LOCALE) -> list[Path]:
    written = []
    for lang_dir in sorted(p for p in locale.iterdir() if (p / "fragments").is_dir()):
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
