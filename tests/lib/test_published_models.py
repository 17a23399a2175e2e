"""What is published is read from the models' meta.publish in the dbt manifest."""

import json
from pathlib import Path

import pytest

from orchestration.lib.published_models import MANIFEST, Period, PublicationError, published_models


def _manifest(tmp_path: Path, publish: dict, columns=("team_id", "week_start", "deploys")) -> Path:
    node = {
        "resource_type": "model",
        "name": "mart_x",
        "original_file_path": "models/marts/_x.yml",
        "config": {"meta": {"dagster": {"group": "metrics"}, "publish": publish}},
        "columns": {column: {"name": column} for column in columns},
    }
    other = {**node, "name": "fct_y", "config": {"meta": {}}}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": {"model.p.mart_x": node, "model.p.fct_y": other}}))
    return path


def test_a_declaration_is_read_with_its_key_period_and_suppressed_metrics(tmp_path):
    publish = {"key": ["team_id", "week_start"], "period": {"column": "week_start", "grain": "week"}}
    models = published_models(_manifest(tmp_path, {**publish, "suppressed": ["deploys"]}))
    assert list(models) == ["mart_x"]  # fct_y declares nothing: not published
    assert models["mart_x"].key == ("team_id", "week_start")
    assert models["mart_x"].period == Period("week_start", "week")
    assert models["mart_x"].suppressed == ("deploys",)


@pytest.mark.parametrize(
    ("publish", "named"),
    [
        ({"period": {"column": "week_start", "grain": "week"}}, "no key"),
        ({"key": ["team_id"], "period": {"column": "week_start", "grain": "fortnight"}}, "grain"),
        ({"key": ["team_id"], "suppressed": ["depolys"]}, "depolys not among"),
    ],
)
def test_a_broken_declaration_names_the_file_and_the_problem(tmp_path, publish, named):
    with pytest.raises(PublicationError, match=named) as raised:
        published_models(_manifest(tmp_path, publish))
    assert "models/marts/_x.yml (mart_x, config.meta.publish)" in str(raised.value)


def test_no_manifest_says_how_to_make_one(tmp_path):
    with pytest.raises(PublicationError, match="make prepare"):
        published_models(tmp_path / "manifest.json")


def test_each_published_key_is_the_key_dbt_tests():
    """The publication contract and the dbt key test check the same columns."""
    tested = {}
    for node in json.loads(MANIFEST.read_text())["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if metadata.get("name") == "unique_combination_of_columns":
            tested[node["attached_node"].split(".")[-1]] = tuple(metadata["kwargs"]["combination_of_columns"])
        elif metadata.get("name") == "unique" and node.get("column_name"):
            tested[node["attached_node"].split(".")[-1]] = (node["column_name"],)
    models = published_models()
    assert {"mart_team_weekly", "mart_guard_signals", "dim_teams"} <= set(models)
    assert "dim_engineers" not in models  # names and HR ids are not for BI
    assert {name: model.key for name, model in models.items()} == {name: tested.get(name) for name in models}
