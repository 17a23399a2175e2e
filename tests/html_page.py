"""A rendered page as a browser reads it: its elements with their attributes, and its text.

Shared by the tests that check hostile values reach published pages only as text.
"""

from html.parser import HTMLParser
from pathlib import Path


class Page(HTMLParser):
    """Text inside a <script> element is kept with a "script:" prefix: code, not shown text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        self.text.append(("script:" if self._in_script else "") + data)

    def injected(self, marker: str) -> list:
        """What a hostile value carrying `<img src=x onerror=...>` and `<script>...marker...` became markup as."""
        handlers = [
            attrs for tag, attrs in self.tags if "onerror" in attrs or (tag == "img" and attrs.get("src") == "x")
        ]
        scripts = [text for text in self.text if text.startswith("script:") and marker in text]
        return handlers + scripts


def parsed(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text())
    return page


class Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts, with the table's id or class, and the links of its cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._open: list[dict] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._open.append({"name": attrs.get("id") or attrs.get("class") or "", "rows": [], "links": []})
        elif tag == "tr" and self._open:
            self._open[-1]["rows"].append([])
        elif tag in ("td", "th") and self._open:
            self._cell = []
        elif tag == "a" and self._open and "href" in attrs:
            self._open[-1]["links"].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._open and self._cell is not None:
            self._open[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._open:
            self.tables.append(self._open.pop())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(text: str) -> list[dict]:
    """name (id or class), rows (header row first) and links of every table of an HTML text."""
    parser = Tables()
    parser.feed(text)
    return parser.tables


def table(text: str, name: str) -> list[dict]:
    """The table named `name` as one dict per body row, keyed by the header."""
    found = [one for one in tables(text) if one["name"] == name]
    assert found, f"no table {name!r} in the page"
    header, *rows = found[0]["rows"]
    return [dict(zip(header, row, strict=False)) for row in rows]


def svg_texts(svg: str) -> list[str]:
    """The text nodes of an SVG (labels, legend entries, titles), stripped."""
    page = Page()
    page.feed(svg)
    return [text.strip() for text in page.text if text.strip()]
