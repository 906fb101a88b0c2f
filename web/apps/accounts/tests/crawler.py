"""A crawler of the site as one signed-in person sees it, for the tests of what pages say
(``web/tests/test_words_for_people.py``) and how they look (``test_browser_every_page.py``).

It follows every link it can reach from the start page (within the site, no downloads, the API or
Django's admin), can send each form once with its visible fields empty, and reads each page's
visible text: the words between tags, plus what assistive technology reads aloud
(``aria-label``, ``title``, ``alt``, ``placeholder``) and the labels of buttons.
"""

from __future__ import annotations

import html
import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

from django.test import Client

ROLES = ("patient", "patient2", "clinician", "pharmacist", "admin")
MAX_PAGES = 120  # per login: enough for every page kind of the demo, bounded in time
SKIP_PREFIXES = ("/api/", "/admin/", "/static/", "/accounts/logout/")
DOWNLOADS = re.compile(r"\.(csv|ics|png|svg|json|pdf|txt)$|/fhir|/export")

SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
DOTTED = re.compile(r"(?<![\w./-])(?:lowdose|apps|config|django)(?:\.[A-Za-z_]\w*)+")
SHOUTED = re.compile(r"NOT FOUND")


class _Text(HTMLParser):
    """The text a person sees or hears on a page, and the links on it."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.forms: list[tuple[str, dict[str, str]]] = []  # POST forms: action, hidden fields
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self.forms.append((found.get("action") or "", {}))
        if tag == "input" and found.get("type") == "hidden" and self.forms and found.get("name"):
            self.forms[-1][1][found["name"] or ""] = found.get("value") or ""
        for name in self.SPOKEN:
            if found.get(name):
                self.parts.append(found[name] or "")
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.parts.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _read(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


def problems_in(text: str) -> list[str]:
    """The codes and internal names in ``text``."""
    found = SNAKE.findall(text) + DOTTED.findall(text) + SHOUTED.findall(text)
    return sorted(set(found))


def _allowed(target: str) -> bool:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return False
    return not (target.startswith(SKIP_PREFIXES) or DOWNLOADS.search(parts.path))


def _check(response: Any, where: str, report: dict[str, list[str]]) -> _Text | None:
    if "text/html" not in response.get("Content-Type", ""):
        return None
    parsed = _read(response.content.decode())
    text = " ".join(html.unescape(" ".join(parsed.parts)).split())
    found = problems_in(text)
    if found:  # each with the words around it, so a failure shows where to look
        report[where] = [f"{w}: …{_around(text, w)}…" for w in found]
    return parsed


def _around(text: str, word: str) -> str:
    at = text.find(word)
    return text[max(0, at - 60) : at + len(word) + 40]


def crawl_pages(client: Client, start: str = "/") -> list[str]:
    """The addresses of every page reachable from ``start`` (GET only), in the order found."""
    pages: list[str] = []
    crawl(client, start, submit=False, visited=pages)
    return pages


def crawl(
    client: Client,
    start: str = "/",
    *,
    submit: bool = True,
    visited: list[str] | None = None,
) -> dict[str, list[str]]:
    """Every reachable page's problems, by address. With ``submit``, each form that posts is
    also sent once with its visible fields empty, so the page's error messages are read too
    (``POST <address>`` in the report)."""
    queue, seen = deque([start]), {start}
    posted: set[str] = set()
    report: dict[str, list[str]] = {}
    while queue and len(seen) <= MAX_PAGES:
        path = queue.popleft()
        parsed = _check(client.get(path, follow=True), path, report)
        if parsed is None:
            continue
        if visited is not None:
            visited.append(path)
        for action, hidden in parsed.forms if submit else ():
            target = urldefrag(action or path)[0]
            if target not in posted and _allowed(target):
                posted.add(target)
                _check(client.post(target, hidden, follow=True), f"POST {target}", report)
        for href in parsed.links:
            target = urldefrag(href)[0]
            if _allowed(target) and target not in seen:
                seen.add(target)
                queue.append(target)
    return report
