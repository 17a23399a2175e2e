"""The workspace resource: where a run reads and writes.

The workspace is handed to every asset, check and sensor that touches a folder, so two workspaces can run in
one process without meeting: nothing reads a path from, or writes one to, the process environment.
"""

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from orchestration.lib.workspace import ENGINES, Workspace


class WorkspaceResource(dg.ConfigurableResource):
    """The landing folder a run reads, the work folder it writes (warehouse, published, run history) and the
    lake (a folder or an object-store URI, lib/lake_fs.py).

    `aaw` builds it from its options; `dagster dev` and its daemon (the schedule, the sensors) from the
    environment variables AAW_WORKDIR, AAW_LANDING, AAW_LAKE and AAW_ENGINE that `aaw dev` passes them.
    """

    workdir: str
    landing: str = ""  # empty: WORKDIR/landing
    lake: str = ""  # empty: WORKDIR/lake
    engine: str = Field(
        default="duckdb",
        description="What dbt builds the warehouse on: duckdb (the file itself) or spark (a local Spark session, "
        "its tables read by the gates and the publication through DuckDB views).",
        pattern="^(" + "|".join(ENGINES) + ")$",
    )

    @classmethod
    def of(cls, workspace: Workspace) -> "WorkspaceResource":
        return cls(
            workdir=str(workspace.workdir),
            landing=str(workspace.landing),
            lake=workspace.lake_uri,
            engine=workspace.engine,
        )

    @classmethod
    def from_env_vars(cls) -> "WorkspaceResource":
        """The folders are resolved when a run or a sensor starts, in the process of the code location, not on
        import. The engine is read when the code location loads (AAW_ENGINE, duckdb when unset): the schedule
        and the UI build on the engine `aaw dev --engine` was started with."""
        engine = os.environ.get("AAW_ENGINE") or "duckdb"
        return cls(
            workdir=dg.EnvVar("AAW_WORKDIR"),
            landing=dg.EnvVar("AAW_LANDING"),
            lake=dg.EnvVar("AAW_LAKE"),
            engine=engine,
        )

    def paths(self) -> Workspace:
        workdir = Path(self.workdir).resolve()
        landing = Path(self.landing).resolve() if self.landing else workdir / "landing"
        return Workspace(landing=landing, workdir=workdir, lake_uri=self.lake, engine=self.engine)

    def dbt_vars(self) -> dict[str, str | list]:
        return self.paths().dbt_vars()
