"""Reject reasons in the reader's language: the one place the web app translates them.

Connectors write their reasons in English, through the templates of
:mod:`callgrade.engine.connectors.reasons` (the engine knows no Django). Here a reason is read
back against those templates and said again with the template's translation; the values it
carries (what was found in the file) stay as they were, set apart as code, except the few that
are words themselves. A sentence no template reads (a connector not in the catalogue yet, a
rejects file written before it) is shown as written, introduced in the reader's language.
"""

from __future__ import annotations

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from callgrade.engine.connectors.reasons import TEMPLATES, WORDS, read_back


def _words(name: str, value: str) -> str | None:
    if value in WORDS.get(name, ()):
        return _(value)
    return None


def reason_html(text: str) -> SafeString:
    """The reason for a page: translated, with the file's values in ``<code>``."""
    found = read_back(text)
    if found is None:
        return format_html("{} <code>{}</code>", _("In the words of the connector:"), text)
    where, line, code, values = found
    shown = {k: _words(k, v) or format_html("<code>{}</code>", v) for k, v in values.items()}
    # the values are escaped by format_html; the template is ours, translated
    template = _(TEMPLATES[code])
    sentence = format_html(template, **shown) if shown else conditional_escape(template)
    if line is None:
        return sentence
    return format_html(_at(where), line=line, sentence=sentence)


def reason_text(text: str) -> str:
    """The reason for a download: translated, values as written."""
    found = read_back(text)
    if found is None:
        return text
    where, line, code, values = found
    shown = {k: _words(k, v) or v for k, v in values.items()}
    sentence = _(TEMPLATES[code]).format(**shown)
    return sentence if line is None else _at(where).format(line=line, sentence=sentence)


def _at(where: str) -> str:
    return _("line {line}: {sentence}") if where == "line" else _("row {line}: {sentence}")
