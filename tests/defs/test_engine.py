"""Which engine dbt builds on is one field of the workspace resource: `--engine` on the command line,
AAW_ENGINE for the code location `dagster dev` loads (the UI, the schedule, the sensors)."""

import pydantic
import pytest

from orchestration.cli import main
from orchestration.defs.resources import WorkspaceResource
from orchestration.lib.workspace import Workspace


def test_the_code_location_builds_on_the_engine_of_its_environment(monkeypatch):
    monkeypatch.setenv("AAW_ENGINE", "spark")
    assert WorkspaceResource.from_env_vars().engine == "spark"
    monkeypatch.delenv("AAW_ENGINE")
    assert WorkspaceResource.from_env_vars().engine == "duckdb"


def test_aaw_dev_passes_its_engine_to_the_code_location(tmp_path):
    workspace = Workspace(landing=tmp_path / "landing", workdir=tmp_path / "work", engine="spark")
    assert workspace.environ()["AAW_ENGINE"] == "spark"
    assert WorkspaceResource.of(workspace).paths().engine == "spark"
    assert workspace.dbt_vars()["spark_path"] == str(tmp_path / "work" / "spark")


def test_an_unknown_engine_is_refused_naming_the_known_ones(tmp_path):
    with pytest.raises(pydantic.ValidationError, match="duckdb|spark"):
        WorkspaceResource(workdir=str(tmp_path), engine="postgres")
    with pytest.raises(ValueError, match="duckdb, spark"):
        Workspace(landing=tmp_path, workdir=tmp_path, engine="postgres")


def test_without_the_spark_extra_the_run_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "pyspark" else real(name))
    landing = tmp_path / "landing"
    landing.mkdir()
    command = ["run", "--landing", str(landing), "--workdir", str(tmp_path / "work"), "--engine", "spark"]
    assert main(command) == 2
    assert 'pip install -e ".[spark]"' in capsys.readouterr().err
    assert not (tmp_path / "work").exists()


def test_the_local_spark_session_refuses_an_object_store_lake_before_the_run(tmp_path, capsys):
    pytest.importorskip("pyspark")
    landing = tmp_path / "landing"
    landing.mkdir()
    command = ["run", "--landing", str(landing), "--workdir", str(tmp_path / "work"), "--engine", "spark"]
    assert main([*command, "--lake", "s3://bucket/lake"]) == 2
    assert "--engine spark reads a local lake only" in capsys.readouterr().err
    assert not (tmp_path / "work").exists()


def test_a_workspace_of_the_ui_or_the_schedule_refuses_spark_over_an_object_store_lake(tmp_path):
    with pytest.raises(ValueError, match="reads a local lake only"):
        WorkspaceResource(workdir=str(tmp_path), lake="s3://bucket/lake", engine="spark").paths()
