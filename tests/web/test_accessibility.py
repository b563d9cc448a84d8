"""Accessibility (WCAG 2.1 AA): text colours of the stylesheet have at least 4.5:1 contrast
against the backgrounds they are used on; every page starts with a skip link, names its language,
and every chart is an image with a label followed by the numbers as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

CSS = Path(__file__).resolve().parents[2] / "src/callgrade/web/static/callgrade/app.css"

# (rule of the text colour, rule of the background) — the pairs people read.
PAIRS = [
    ("body", "body"),
    (".muted", "body"),
    (".muted", "th"),
    (".muted", ".messages li"),
    (".ok", "body"),
    (".ok", "th"),
    (".ok", ".messages li.success"),
    (".bad", "body"),
    (".bad", "th"),
    (".bad", ".messages li.error"),
    ("ul.errors", "ul.errors"),
    ("a", "body"),
    ("a", "th"),
    ("body", ".messages li"),
    ("body", ".messages li.error"),
    ("body", ".messages li.success"),
    ("button, .button", "button, .button"),
    ("button.secondary, .button.secondary", "button.secondary, .button.secondary"),
    (".badge", ".badge"),
    ("header.top a", "header.top"),
    ("header.top", "header.top"),
    (".skip-link", ".skip-link"),
    ("ol.steps li", "body"),
    ("ol.steps li.done", "body"),
    ("ol.steps li.current", "ol.steps li.current"),
    ("table details summary", "body"),
]


def _rules(text: str) -> dict[str, dict[str, str]]:
    """Top-level rules (selector → declarations); rules inside @media are for phones only and
    use the same colours, so they are left out."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules: dict[str, dict[str, str]] = {}
    depth, start, selector = 0, 0, ""
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                selector, start = text[start:i].strip(), i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                if not selector.startswith("@"):
                    body = text[start:i]
                    decls = rules.setdefault(selector, {})
                    for decl in body.split(";"):
                        if ":" in decl:
                            k, v = decl.split(":", 1)
                            decls[k.strip()] = v.strip()
                start = i + 1
    return rules


def _hex(value: str, variables: dict[str, str]) -> str:
    value = value.strip()
    m = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if m:
        value = variables[m.group(1)]
    m = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value)
    assert m, f"not a plain colour: {value!r}"
    h = m.group(1)
    return (h if len(h) == 6 else "".join(c * 2 for c in h)).lower()


def _luminance(h: str) -> float:
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_formula() -> None:
    assert contrast("000000", "ffffff") == pytest.approx(21.0)
    assert contrast("ffffff", "f6f8fa") == pytest.approx(1.06, abs=0.01)  # the old badge


@pytest.mark.parametrize(("fg_rule", "bg_rule"), PAIRS)
def test_text_contrast_is_at_least_4_5(fg_rule: str, bg_rule: str) -> None:
    rules = _rules(CSS.read_text("utf-8"))
    variables = {k: v for k, v in rules[":root"].items() if k.startswith("--")}
    fg = _hex(rules[fg_rule]["color"], variables)
    bg_decls = rules[bg_rule]
    bg = _hex(bg_decls.get("background-color") or bg_decls["background"], variables)
    ratio = contrast(fg, bg)
    assert ratio >= 4.5, f"{fg_rule} #{fg} on {bg_rule} #{bg}: {ratio:.2f}:1"


# --- the pages -----------------------------------------------------------------------------------


def test_the_first_focusable_element_skips_to_the_content(login: Any, agent: Any) -> None:
    html = login(agent).get("/me/").content.decode()
    body = html[html.index("<body") :]
    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body)
    assert first and 'class="skip-link"' in first.group(0) and 'href="#content"' in first.group(0)
    assert '<main id="content"' in html
    assert ".skip-link:focus" in CSS.read_text("utf-8")


def test_the_page_names_its_language(login: Any, agent: Any) -> None:
    c = login(agent)
    assert '<html lang="en">' in c.get("/me/").content.decode()
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/me/"})
    assert '<html lang="zh-Hans">' in c.get("/me/").content.decode()


def _charts(html: str) -> list[str]:
    return re.findall(r'<div id="[\w-]+" class="chart"[^>]*>', html)


def test_every_chart_is_a_labelled_image(login: Any, hr: Any, lead: Any, demo_cycle: Any) -> None:
    pages = [
        (login(hr), f"/cycles/{demo_cycle.pk}/"),
        (login(lead), "/team/"),
        (login(lead), "/me/"),
    ]
    seen = 0
    for client, url in pages:
        for div in _charts(client.get(url).content.decode()):
            seen += 1
            assert 'role="img"' in div and re.search(r'aria-label="[^"]+"', div), div
    assert seen >= 4
    templates = Path(__file__).resolve().parents[2] / "src/callgrade"
    for path in templates.glob("*/templates/**/*.html"):
        for div in _charts(path.read_text("utf-8")):
            assert 'role="img"' in div and "aria-label" in div, f"{path.name}: {div}"


def test_the_cycle_chart_numbers_are_on_the_page(login: Any, hr: Any, demo_cycle: Any) -> None:
    html = login(hr).get(f"/cycles/{demo_cycle.pk}/").content.decode()
    table = r'<table id="ratings-chart-data" class="visually-hidden">(.*?)</table>'
    m = re.search(table, html, re.S)
    assert m, "no table of the chart's numbers"
    assert re.search(r"<td>\d+</td>", m.group(1))
