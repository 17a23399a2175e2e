"""What an ingest asset checks of a landing folder before and besides reading it: links leaving landing
refused, files no asset reads named (or failing the run, for a daily folder), unreadable files failing it."""

from pathlib import Path

import dagster as dg

from orchestration.lib import lake, landing_files, landing_safety
from orchestration.lib.workspace import Workspace


def landing_relative(workspace: Workspace, path: Path) -> str:
    return path.relative_to(workspace.landing).as_posix()


def fail_unreadable(errors: list[str]) -> None:
    if errors:
        raise dg.Failure(description="Unreadable landing file(s):\n" + "\n".join(dict.fromkeys(errors)))


def report_ignored(
    context: dg.AssetExecutionContext, workspace: Workspace, entity: str, folder: str, reads: str
) -> None:
    """Name the files at the top of landing/<folder>/ the asset does not read, in the log and in the lake
    (what `aaw status`, the run summary and the report list), so that no delivered file is silently skipped."""
    found = landing_files.ignored_files(workspace.landing / folder, reads)
    ignored = {landing_relative(workspace, path): reason for path, reason in found.items()}
    for name, reason in ignored.items():
        context.log.warning(f"{entity}: ignored {name}: {reason}")
    lake.write_ignored(workspace.lake, entity, ignored, context.run.run_id)


def refuse_links_leaving(workspace: Workspace, folder: str) -> None:
    """Before anything of landing/<folder> is read: a link out of the landing folder fails the asset unread."""
    found = landing_safety.links_leaving(workspace.landing, workspace.landing / folder)
    if found:
        raise dg.Failure(description=landing_safety.refused_links_message(found))


def check_day_file_names(workspace: Workspace, folder: str) -> None:
    """Every file at the top of a daily folder is read by the day in its name: a file no day would read
    fails the run rather than being silently skipped."""
    strays = [landing_relative(workspace, path) for path in landing_files.stray_day_files(workspace.landing / folder)]
    if strays:
        raise dg.Failure(
            description=f"landing/{folder}/ holds file(s) no day reads: {', '.join(strays)}. Expected "
            f"{landing_files.DAY_FILE_FORMS}; a vendor export goes in its format's sub-folder. Rename or remove "
            "them, then rerun."
        )
