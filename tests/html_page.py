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
