"""Reject reasons and a file's errors in the reader's language: the one place the web app
translates them.

Connectors write their reasons in English, through the templates of
:mod:`callgrade.engine.connectors.reasons` (the engine knows no Django). Here a reason is read
back against those templates and said again with the template's translation; the values it
carries (what was found in the file) stay as they were, set apart as code, except the few that
are words themselves and those that are sentences of the catalogue (said again the same way). A
sentence no template reads (a rejects file written before the catalogue, a database driver's own
message) is shown as written, introduced in the reader's language.
"""

from __future__ import annotations

import re

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from callgrade.engine.connectors.reasons import TEMPLATES, WORDS, Part, Said, read_back


def _words(name: str, value: str) -> str | None:
    if value in WORDS.get(name, ()):
        return _(value)
    return None


# In a translation, what stays as written (a field of the file, a format) is marked `so`.
_MARKED = re.compile(r"`([^`]+)`")


class _Say:
    """How a sentence is put together: for a page (values set apart as code) or a download."""

    def __init__(self, html: bool) -> None:
        self.html = html

    def value(self, v: object) -> str:
        return format_html("<code>{}</code>", v) if self.html else str(v)

    def fill(self, template: str, **values: object) -> str:
        if not self.html:
            return template.format(**values)
        # the template is ours: escaped, its marked words set apart; format_html escapes values
        template = _MARKED.sub(r"<code>\1</code>", str(conditional_escape(template)))
        return format_html(template, **values) if values else mark_safe(template)

    def part(self, part: Part) -> str:
        shown = {
            name: self.part(v) if isinstance(v, Part) else _words(name, v) or self.value(v)
            for name, v in part.values
        }
        return self.fill(_(TEMPLATES[part.code]), **shown)

    def said(self, said: Said) -> str:
        sentence = self.part(said.parts[0])
        for part in said.parts[1:]:  # one record's several reasons
            sentence = self.fill(_("{first}; {then}"), first=sentence, then=self.part(part))
        if said.where in ("line", "row"):
            where = (
                _("line {line}: {sentence}")
                if said.where == "line"
                else _("row {line}: {sentence}")
            )
            return self.fill(where, line=said.line, sentence=sentence)
        if said.where in ("object", "statement"):
            where = (
                _("object {number} (line {line}): {sentence}")
                if said.where == "object"
                else _("statement {number} (line {line}): {sentence}")
            )
            return self.fill(where, number=said.number, line=said.line, sentence=sentence)
        if said.where == "place":
            return self.fill(
                _("{place}: {sentence}"), place=self.value(said.place), sentence=sentence
            )
        return sentence


def reason_html(text: str) -> SafeString:
    """The reason for a page: translated, with the file's values in ``<code>``."""
    said = read_back(text)
    if said is None:
        return format_html("{} <code>{}</code>", _("In the words of the connector:"), text)
    return mark_safe(_Say(html=True).said(said))  # put together by format_html


def reason_text(text: str) -> str:
    """The reason for a download: translated, values as written."""
    said = read_back(text)
    return text if said is None else _Say(html=False).said(said)


def error_html(text: str, *, ours: bool = False) -> SafeString:
    """A whole-file error or a source's problem for a page, as list items: each sentence of the
    catalogue translated (a mapping's mistakes are one a line); a line outside it as written, in
    code (a connector's words), or as it is when ``ours`` (the app's words, already in the
    reader's language)."""
    lines = [x for x in text.splitlines() if x.strip()]
    found = [read_back(x) for x in lines]
    if len(lines) > 1 and found[0] is not None and not any(found[1:]):
        # one sentence whose last value runs over lines (a database driver's message)
        whole = read_back(text.strip())
        if whole is not None:
            lines, found = [text], [whole]
    items = [
        mark_safe(_Say(html=True).said(f))
        if f
        else (x if ours else format_html("<code>{}</code>", x))
        for x, f in zip(lines, found, strict=True)
    ]
    return format_html_join("\n", "<li>{}</li>", ((item,) for item in items))
