"""dbt docs as one static page under published/docs/index.html that loads nothing it does not carry.

Two leftovers of dbt's page build each make a failed request offline: a favicon link whose address is an
unexpanded `${require(...)}`, and menu icons `<use xlink:href="{{ ... }}">` whose literal `{{ ... }}` path
the browser fetches before AngularJS fills it in. The favicon link goes; `ng-attr-href` leaves an icon's
attribute unset until it has its value (an SVG `<use>` reads `href`).
"""

import os
import re
from pathlib import Path

UNBOUND_ICON = re.compile(r"xlink:href=(\\?[\"'])\{\{")
UNEXPANDED_LINK = re.compile(r"<link\b[^>]*href=[\"']\$\{require\([^>]*>")


def without_failing_requests(page: str) -> str:
    return UNBOUND_ICON.sub(r"ng-attr-href=\1{{", UNEXPANDED_LINK.sub("", page))


def publish_static_docs(static_index: Path, target: Path) -> None:
    """Copy dbt's static_index.html to target (atomically), without what would make a failed request."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(without_failing_requests(static_index.read_text(encoding="utf-8")), encoding="utf-8")
    os.replace(temporary, target)
