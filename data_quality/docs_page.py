"""The quality page: published/quality/index.html over the Great Expectations Data Docs, working offline.

GX renders each validation result as static HTML but loads jQuery, bootstrap and bootstrap-table from CDNs
(and its logo from a web server) and builds its index list in the browser: offline the index is empty and
every page is unstyled. After GX has built its pages, `make_offline` removes every remote stylesheet, remote
image and script from them (their content is plain HTML) and gives them a small inline style, and
`write_index` renders the index here from the stored results, newest first, linking each to its GX page.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

REMOTE_LINK = re.compile(r"<link\b[^>]*href=[\"']https?://[^>]*>", re.IGNORECASE)
REMOTE_IMAGE = re.compile(r"<img\b[^>]*src=[\"']https?://[^>]*>", re.IGNORECASE)
STATIC = re.compile(r"(href|src)=([\"'])(?:\.\./)*static/")
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
STYLE = (
    "<style>body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:16px 24px;max-width:1180px}"
    "table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #e4e4e4;padding:3px 8px;"
    "text-align:left;vertical-align:top}.collapse:not(.show){display:block}"
    ".ok{color:#2b7a3d}.bad{color:#b3261e}.muted{color:#666}"
    # the status icons come from a remote icon font: say it in words instead
    ".fas.text-success::before{content:'passed';color:#2b7a3d}.fas.text-danger::before{content:'failed';"
    "color:#b3261e;font-weight:600}.fas.text-warning::before{content:'warning';color:#a85d00}</style>"
)

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class StoredResult:
    suite: str
    run_time: str
    success: bool
    evaluated: int
    failed: int
    page: str | None  # relative to the docs folder


def make_offline(page: Path, docs_dir: Path) -> None:
    """Drop remote stylesheets and images and every script from one GX page (it keeps its static content),
    and point its links to the site's static/ folder at the right depth (GX counts one level short)."""
    text = page.read_text(encoding="utf-8")
    cleaned = SCRIPT.sub("", REMOTE_IMAGE.sub("", REMOTE_LINK.sub("", text)))
    static = Path(os.path.relpath(docs_dir / "static", page.parent)).as_posix()
    cleaned = STATIC.sub(lambda found: f"{found.group(1)}={found.group(2)}{static}/", cleaned)
    if "</head>" in cleaned and STYLE not in cleaned:
        cleaned = cleaned.replace("</head>", STYLE + "</head>", 1)
    if cleaned != text:
        _write_atomically(page, cleaned)


def stored_results(results_store: Path, docs_dir: Path) -> list[StoredResult]:
    results = []
    for path in results_store.rglob("*.json"):
        relative = path.relative_to(results_store)
        stored = json.loads(path.read_text(encoding="utf-8"))
        statistics = stored.get("statistics") or {}
        page = Path("validations") / relative.with_suffix(".html")
        results.append(
            StoredResult(
                suite=relative.parts[0],
                run_time=str((stored.get("meta") or {}).get("run_id", {}).get("run_time") or relative.parts[-2]),
                success=bool(stored.get("success")),
                evaluated=int(statistics.get("evaluated_expectations") or 0),
                failed=int(statistics.get("unsuccessful_expectations") or 0),
                page=page.as_posix() if (docs_dir / page).exists() else None,
            )
        )
    return sorted(results, key=lambda result: (result.run_time, result.suite), reverse=True)


def write_index(results_store: Path, docs_dir: Path, kept: int) -> Path:
    index = docs_dir / "index.html"
    _write_atomically(
        index,
        TEMPLATES.get_template("quality_index.html").render(
            results=stored_results(results_store, docs_dir), kept=kept, style=STYLE
        ),
    )
    return index


def publish_offline(results_store: Path, docs_dir: Path, kept: int) -> None:
    for page in docs_dir.rglob("*.html"):
        if page != docs_dir / "index.html":
            make_offline(page, docs_dir)
    write_index(results_store, docs_dir, kept)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
