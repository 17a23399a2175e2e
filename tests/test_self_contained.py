"""The repository stands on its own: a fresh clone needs nothing beside it, and its comments explain
themselves instead of pointing at documents or tickets a reader of the code does not have."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE_REFERENCE = re.compile(r"DESIGN\.md|\.\./shared|\bissue\s*#?\d+|\bhelper h\w+", re.IGNORECASE)
CHECKED_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".md", ".toml", ".cfg"}


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / name for name in listed.splitlines()]


def test_no_file_points_outside_the_repository_or_at_a_ticket():
    this_file = Path(__file__).resolve()
    offending = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in tracked_files()
        if path.suffix in CHECKED_SUFFIXES and path.resolve() != this_file and path.is_file()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE_REFERENCE.search(line)
    ]
    assert not offending, "say why in the code's own words:\n" + "\n".join(offending)


def test_per_user_files_dbt_writes_are_not_tracked():
    tracked = {path.relative_to(ROOT).as_posix() for path in tracked_files()}
    assert "dbt_project/.user.yml" not in tracked
    ignored = subprocess.run(["git", "check-ignore", "-q", "dbt_project/.user.yml"], cwd=ROOT, check=False)
    assert ignored.returncode == 0


def test_the_vendor_samples_the_connector_tests_read_are_in_the_repository():
    fixtures = ROOT / "tests" / "fixtures" / "vendor_formats"
    sample_read = re.compile(r"""(?:sample\(|(?:FORMATS|formats_dir) / )["']([^"']+)["']""")
    named = {
        name
        for path in (ROOT / "tests").rglob("test_*.py")
        for name in sample_read.findall(path.read_text(encoding="utf-8"))
    }
    assert named, "the connector tests name their samples"
    missing = sorted(name for name in named if not (fixtures / name).exists())
    assert not missing, f"samples the connector tests read but tests/fixtures/vendor_formats lacks: {missing}"
