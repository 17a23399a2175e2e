"""The workspace resource: where a run reads and writes.

The workspace is handed to every asset, check and sensor that touches a folder, so two workspaces can run in
one process without meeting: nothing reads a path from, or writes one to, the process environment.
"""

from pathlib import Path

import dagster as dg

from orchestration.lib.workspace import Workspace


class WorkspaceResource(dg.ConfigurableResource):
    """The landing folder a run reads, the work folder it writes (warehouse, published, run history) and the
    lake (a folder or an object-store URI, lib/lake_fs.py).

    `aaw` builds it from its options; `dagster dev` and its daemon (the schedule, the sensors) from the
    environment variables AAW_WORKDIR, AAW_LANDING and AAW_LAKE that `aaw dev` passes them.
    """

    workdir: str
    landing: str = ""  # empty: WORKDIR/landing
    lake: str = ""  # empty: WORKDIR/lake

    @classmethod
    def of(cls, workspace: Workspace) -> "WorkspaceResource":
        return cls(workdir=str(workspace.workdir), landing=str(workspace.landing), lake=workspace.lake_uri)

    @classmethod
    def from_env_vars(cls) -> "WorkspaceResource":
        """Resolved when a run or a sensor starts, in the process of the code location, not on import."""
        return cls(workdir=dg.EnvVar("AAW_WORKDIR"), landing=dg.EnvVar("AAW_LANDING"), lake=dg.EnvVar("AAW_LAKE"))

    def paths(self) -> Workspace:
        workdir = Path(self.workdir).resolve()
        landing = Path(self.landing).resolve() if self.landing else workdir / "landing"
        return Workspace(landing=landing, workdir=workdir, lake_uri=self.lake)

    def dbt_vars(self) -> dict[str, str | list]:
        return self.paths().dbt_vars()
