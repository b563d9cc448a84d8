"""Every user-facing string marked for translation has a Chinese translation, and the compiled
catalog is what the app serves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from callgrade.web import i18n_build

WEB = Path(i18n_build.__file__).parent
# the project and its domain apps: every page and message people read comes from these
APPS = (
    "web", "core", "people", "standards", "cycles", "review", "engagement", "development",
    "integration", "baseline", "loads", "intraday",
)  # fmt: skip
TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?(?P<args>[^%]*)%}(?P<body>.*?)"
    r"(?:{%\s*plural\s*%}(?P<plural>.*?))?{%\s*endblocktrans(?:late)?\s*%}",
    re.S,
)
VAR = re.compile(r"{{\s*(\w+)\s*}}")
PY = re.compile(r"""\b(?:_|gettext|gettext_lazy|pgettext)\(\s*(["'])(.+?)(?<!\\)\1\s*[,)]""")


def _block_id(text: str) -> str:
    return VAR.sub(lambda m: f"%({m.group(1)})s", text.strip() if "trimmed" in text else text)


def marked_strings() -> set[tuple[str, str | None]]:
    """(msgid, msgid_plural) of every marked string in the templates and Python modules."""
    found: set[tuple[str, str | None]] = set()
    for path in (WEB.parent).glob("*/templates/**/*.html"):
        text = path.read_text("utf-8")
        found |= {(m.group(2), None) for m in TAG.finditer(text)}
        for m in BLOCK.finditer(text):
            trimmed = "trimmed" in m.group("args")
            body, plural = m.group("body"), m.group("plural")
            if trimmed:
                body = " ".join(body.split())
                plural = " ".join(plural.split()) if plural else plural
            found.add((_block_id(body), _block_id(plural) if plural else None))
    for path in [p for app in APPS for p in (WEB.parent / app).rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        found |= {(m.group(2), None) for m in PY.finditer(path.read_text("utf-8"))}
    return found


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    i18n_build.build()
    translation.trans_real._translations = {}  # reload the freshly compiled catalog
    translation.trans_real._active = translation.trans_real.Local()


def test_every_marked_string_has_a_chinese_translation() -> None:
    strings = marked_strings()
    assert len(strings) > 50  # the extractor found the app's strings
    missing = []
    with translation.override("zh-hans"):
        for msgid, plural in sorted(strings, key=lambda s: s[0]):
            if plural is None:
                if translation.gettext(msgid) == msgid:
                    missing.append(msgid)
            elif translation.ngettext(msgid, plural, 2) == plural:
                missing.append(msgid)
    assert not missing, "untranslated (add to locale/zh_Hans/fragments/*.po):\n" + "\n".join(
        missing
    )


def test_conflicting_translations_fail_the_build(tmp_path: Path) -> None:
    frags = tmp_path / "xx" / "fragments"
    frags.mkdir(parents=True)
    (frags / "a.po").write_text('msgid "Team"\nmsgstr "班组"\n', "utf-8")
    (frags / "b.po").write_text('msgid "Team"\nmsgstr "团队"\n', "utf-8")
    with pytest.raises(ValueError, match="Team"):
        i18n_build.build(tmp_path)


def test_the_switch_changes_the_page_language(login, agent) -> None:  # type: ignore[no-untyped-def]
    c = login(agent)
    r = c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/me/"})
    assert r.status_code == 302
    assert "我的评分卡" in c.get("/me/").content.decode()
    c.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    assert "My scorecard" in c.get("/me/").content.decode()
