"""Which warehouse models are published, read from the dbt manifest.

A model is published when its yml declares `config: meta: publish:` with its key (the columns that
identify a row), optionally the period column a nightly run validates by (and its grain: day, week or
month) and the metrics nulled on a suppressed row. The dbt SQL (macros/publication.sql), the publication
contract and the publish step all read that one declaration, so publishing a mart or suppressing a metric
is one edit in the yml.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestration.lib.workspace import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
GRAINS = ("day", "week", "month")


class PublicationError(ValueError):
    """A publish declaration that cannot be used, or no manifest: the message names the model and the fix."""


@dataclass(frozen=True)
class Period:
    column: str
    grain: str


@dataclass(frozen=True)
class PublishedModel:
    name: str
    key: tuple[str, ...]
    period: Period | None  # None: small enough to validate whole on every run (the dimensions)
    suppressed: tuple[str, ...]
    columns: tuple[str, ...]  # as documented in the yml

    @property
    def is_dimension(self) -> bool:
        return self.name.startswith("dim_")


def _parse(node: dict) -> PublishedModel:
    name, declared = node["name"], node["config"]["meta"]["publish"]
    where = f"{node['original_file_path']} ({name}, config.meta.publish)"
    columns = tuple(node.get("columns", {}))
    key = tuple(declared.get("key") or ())
    if not key:
        raise PublicationError(f"{where}: no key; list the columns that identify a row, e.g. key: [team_id]")
    period = declared.get("period")
    if period is not None:
        if set(period) != {"column", "grain"} or period["grain"] not in GRAINS:
            raise PublicationError(
                f"{where}: period must be {{column: <a date column>, grain: <one of {', '.join(GRAINS)}>}}, "
                f"got {period!r}"
            )
        period = Period(period["column"], period["grain"])
    suppressed = tuple(declared.get("suppressed") or ())
    named = [*key, *([period.column] if period else []), *suppressed]
    unknown = [column for column in named if column not in columns]
    if unknown:
        raise PublicationError(f"{where}: {', '.join(unknown)} not among the model's documented columns")
    return PublishedModel(name, key, period, suppressed, columns)


@cache
def _published(manifest_path: Path, modified: float) -> dict[str, PublishedModel]:
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    models = [
        _parse(node)
        for node in nodes
        if node["resource_type"] == "model" and "publish" in (node.get("config", {}).get("meta") or {})
    ]
    return {model.name: model for model in sorted(models, key=lambda model: model.name)}


def published_models(manifest_path: Path = MANIFEST) -> dict[str, PublishedModel]:
    """Every published model by name (sorted), from the manifest `dbt parse` writes (`make prepare`)."""
    if not manifest_path.exists():
        raise PublicationError(
            f"{manifest_path}: no dbt manifest; run `make prepare` (dbt parse) before loading the definitions"
        )
    return _published(manifest_path, manifest_path.stat().st_mtime)
