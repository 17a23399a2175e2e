"""The workspace resource: where a run reads and writes.

The workspace is handed to every asset, check and sensor that touches a folder, so two workspaces can run in
one process without meeting: nothing reads a path from, or writes one to, the process environment.
"""

from pathlib import Path

import dagster as dg

from orchestration.lib.workspace import Workspace


class WorkspaceResource(dg.ConfigurableResource):
    """The landing folder a run reads and the work folder it writes (lake, warehouse, published, run history).

    `aaw` builds it from its options; `dagster dev` and its daemon (the schedule, the sensors) from the
    environment variables AAW_WORKDIR and AAW_LANDING that `aaw dev` passes them.
    """

    workdir: str
    landing: str = ""  # empty: WORKDIR/landing

    @classmethod
    def of(cls, workspace: Workspace) -> "WorkspaceResource":
        return cls(workdir=str(workspace.workdir), landing=str(workspace.landing))

    @classmethod
    def from_env_vars(cls) -> "WorkspaceResource":
        """Resolved when a run or a sensor starts, in the process of the code location, not on import."""
        return cls(workdir=dg.EnvVar("AAW_WORKDIR"), landing=dg.EnvVar("AAW_LANDING"))

    def paths(self) -> Workspace:
        workdir = Path(self.workdir).resolve()
        landing = Path(self.landing).resolve() if self.landing else workdir / "landing"
        return Workspace(landing=landing, workdir=workdir)

    def dbt_vars(self) -> dict[str, str]:
        return self.paths().dbt_vars()
