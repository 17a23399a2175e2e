"""Sensors that settle the lake changes of a finished run launched through the daemon (the nightly schedule,
the landing sensor, the UI): kept if the run published, put back otherwise (orchestration/lib/journal.py).

`aaw run` settles its own run; a run killed before a sensor sees it is settled by the next run, before that
run writes or reads the lake. A run that succeeds without publishing (ingest assets materialised on their own)
is rolled back too: only lake changes that passed the publication gates as well are kept.
"""

import dagster as dg

from orchestration.defs.resources import WorkspaceResource
from orchestration.lib.journal import Journal, LakeBusy

SETTLED_STATUSES = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def _settling_sensor(status: dg.DagsterRunStatus) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        run_status=status,
        name=f"lake_settled_on_{status.value.lower()}",
        description=f"Keeps the lake changes of a {status.value.lower()} run if it published, else puts them back.",
        default_status=dg.DefaultSensorStatus.RUNNING,  # a safety net, not a trigger: on from the start
    )
    def _sensor(context: dg.RunStatusSensorContext, workspace: WorkspaceResource):
        run_id = context.dagster_run.run_id
        try:
            outcome = Journal(workspace.paths().lake, run_id).settle()
        except LakeBusy as error:  # the run's process has not exited yet
            return dg.SkipReason(f"{error}; the next run settles it")
        if outcome is None:
            return dg.SkipReason(f"run {run_id} changed nothing in the lake, or its changes are settled")
        context.log.info(f"lake changes of run {run_id}: {outcome}")
        return None

    return _sensor


lake_sensors = [_settling_sensor(status) for status in SETTLED_STATUSES]
