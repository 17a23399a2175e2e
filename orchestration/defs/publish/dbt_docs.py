"""dbt docs as one static page under published/docs/index.html that loads nothing it does not carry.

The static page builds its menu from AngularJS templates whose icons are `<use xlink:href="{{ ... }}">`:
the browser fetches the literal `{{ ... }}` path before AngularJS fills it in, a failed request on every
menu entry. `ng-attr-href` leaves the attribute unset until it has its value (an SVG `<use>` reads `href`).
"""

import os
import re
from pathlib import Path

UNBOUND_ICON = re.compile(r"xlink:href=(\\?[\"'])\{\{")


def without_unbound_icons(page: str) -> str:
    return UNBOUND_ICON.sub(r"ng-attr-href=\1{{", page)


def publish_static_docs(static_index: Path, target: Path) -> None:
    """Copy dbt's static_index.html to target (atomically), its menu icons bound only once they have a value."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(without_unbound_icons(static_index.read_text(encoding="utf-8")), encoding="utf-8")
    os.replace(temporary, target)
