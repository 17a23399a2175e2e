"""What a run may take from a landing folder, and how much of a file's content a message may show.

Landing folders are written by exporters and people, not by the pipeline: a symbolic link there can point
anywhere on the machine (`surveys/passwd.csv -> /etc/passwd`), and a broken file's text ends up in errors
and logs that are shared further than the file itself. So a link whose target leaves the landing folder is
refused before anything reads it, and a message quotes at most a bounded, escaped excerpt of one line.
"""

import os
from pathlib import Path

EXCERPT_CHARS = 120


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` for a message: non-printable characters (control codes, terminal escapes, bidirectional
    overrides, line breaks) shown as escapes, and cut after `limit` characters, saying how many were left."""
    shown = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text[:limit]
    )
    left = len(text) - limit
    return shown + (f"... ({left:,} more characters)" if left > 0 else "")


def _leaves(path: Path, root: Path) -> bool:
    return not path.resolve().is_relative_to(root)


def links_leaving(landing: Path, folder: Path) -> dict[str, str]:
    """Symbolic links at or under `folder` (and any link on the way to it from `landing`) whose target lies
    outside `landing`: relative path -> where it points. Nothing is opened, and no link is followed."""
    root = landing.resolve()
    found: dict[str, str] = {}
    relative = folder.relative_to(landing)
    step = landing
    for part in relative.parts:  # landing/surveys itself may be the link
        step = step / part
        if step.is_symlink() and _leaves(step, root):
            return {step.relative_to(landing).as_posix(): os.readlink(step)}
    if not folder.is_dir():
        return found
    for current, folders, files in os.walk(folder, followlinks=False):
        for name in [*folders, *files]:
            path = Path(current) / name
            if path.is_symlink() and _leaves(path, root):
                found[path.relative_to(landing).as_posix()] = os.readlink(path)
    return found


def refused_links_message(found: dict[str, str]) -> str:
    listed = "; ".join(f"landing/{excerpt(name)} -> {excerpt(target)}" for name, target in sorted(found.items()))
    return (
        f"symbolic link(s) pointing outside the landing folder, refused and not read: {listed}. "
        "A run reads only what lies inside its landing folder: copy the file(s) in (or point --landing at the "
        "folder that holds them), then rerun"
    )
