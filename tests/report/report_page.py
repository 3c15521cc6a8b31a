"""A small reader of report pages for the tests (stdlib ``html.parser``): headings, figures, numbers
tagged with their ``summary.json`` path, and every attribute that could fetch a resource."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "link", "br", "img", "input", "hr", "source", "area", "base", "col", "embed", "param", "track",
        "wbr"}


@dataclass
class Page:
    h2: list = field(default_factory=list)  # (section id, heading text)
    figures: dict = field(default_factory=dict)  # figure id -> {"svg": count of <svg>, "marks": drawing elements}
    numbers: list = field(default_factory=list)  # (summary path, shown text)
    urls: list = field(default_factory=list)  # every src/href/xlink:href value and url(...) in style
    tags: set = field(default_factory=set)
    text: str = ""


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack = []  # (tag, attrs)
        self.capture = None  # [key, text] while inside a data-key element
        self.h2 = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.page.tags.add(tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "poster", "data") and v is not None:
                self.page.urls.append(v)
            if k == "style" and v:
                self.page.urls += re.findall(r"url\(([^)]*)\)", v)
        fig = next((s[1].get("id") for s in reversed(self.stack) if s[0] == "figure"), None)
        if tag == "svg" and fig:
            self.page.figures[fig]["svg"] += 1
        if tag in ("path", "use", "text", "rect", "polyline", "line") and fig:
            self.page.figures[fig]["marks"] += 1
        if tag == "figure":
            self.page.figures[a.get("id")] = {"svg": 0, "marks": 0}
        if "data-key" in a:
            self.capture = [json.loads(a["data-key"]), ""]
        if tag == "h2":
            sec = next((s[1].get("id") for s in reversed(self.stack) if s[0] == "section"), None)
            self.h2 = [sec, ""]
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == "h2" and self.h2:
            self.page.h2.append((self.h2[0], self.h2[1].strip()))
            self.h2 = None
        while self.stack:
            t, a = self.stack.pop()
            if "data-key" in a and self.capture:
                self.page.numbers.append((self.capture[0], self.capture[1].strip()))
                self.capture = None
            if t == tag:
                break

    def handle_data(self, data):
        self.page.text += data
        if self.capture is not None:
            self.capture[1] += data
        if self.h2 is not None:
            self.h2[1] += data


def parse(html: str) -> Page:
    p = _Parser()
    p.feed(html)
    p.close()
    # CSS in <style> elements
    for css in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S):
        p.page.urls += re.findall(r"url\(([^)]*)\)", css)
    return p.page


def lookup(d, path):
    for k in path:
        d = d[k]
    return d


def shown_equals(text: str, value) -> bool:
    """Whether ``text`` is ``value`` as shown, to the precision shown (n/a for None)."""
    if value is None or (isinstance(value, float) and value != value):
        return text == "n/a"
    t = text.replace(",", "")
    x = float(t)
    if "e" in t.lower():
        mant = t.lower().split("e")[0]
        d = len(mant.split(".")[1]) if "." in mant else 0
        return abs(x - value) <= 0.5 * 10 ** (-d) * 10 ** int(t.lower().split("e")[1]) + 1e-12
    d = len(t.split(".")[1]) if "." in t else 0
    return abs(x - value) <= 0.5 * 10 ** (-d) + 1e-9 * abs(value)
