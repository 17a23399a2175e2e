"""Links out of the landing folder are found without being followed; messages quote bounded, escaped text."""

import os

from hypothesis import given
from hypothesis import strategies as st

from orchestration.lib.contracts.records import MESSAGE_CHARS, PATH_CHARS, Reject, UnreadableFile
from orchestration.lib.landing_safety import EXCERPT_CHARS, excerpt, links_leaving

# the longest escape of one character (\U0010ffff) and the note on what was cut
WORST_CASE = 10 * (MESSAGE_CHARS + PATH_CHARS) + len("... (9,999,999,999 more characters)")


def test_links_leaving_the_landing_folder_are_found_and_links_inside_are_not(tmp_path):
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    (landing / "surveys").mkdir(parents=True)
    (landing / "usage").mkdir()
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (landing / "surveys" / "wave1.csv").write_text("response_id\n")
    os.symlink(outside / "passwd", landing / "surveys" / "passwd.csv")
    os.symlink("wave1.csv", landing / "surveys" / "again.csv")  # inside: fine
    os.symlink("../../outside", landing / "surveys" / "exports")  # a folder outside
    os.symlink(outside, landing / "usage" / "claude_code_analytics")

    assert links_leaving(landing, landing / "surveys") == {
        "surveys/passwd.csv": str(outside / "passwd"),
        "surveys/exports": "../../outside",
    }
    assert links_leaving(landing, landing / "usage") == {"usage/claude_code_analytics": str(outside)}
    os.symlink(outside, landing / "teams")  # the entity's folder itself
    assert links_leaving(landing, landing / "teams") == {"teams": str(outside)}
    assert links_leaving(landing, landing / "roster") == {}  # a folder that does not exist


@given(st.text())
def test_an_excerpt_is_printable_and_bounded(text):
    shown = excerpt(text)
    assert shown.isprintable()
    assert len(shown) <= 10 * EXCERPT_CHARS + len("... (9,999,999,999 more characters)")
    if text.isprintable() and len(text) <= EXCERPT_CHARS:
        assert shown == text


@given(name=st.text(min_size=1), detail=st.text(), reason=st.text())
def test_errors_and_rejects_quote_file_content_bounded_and_escaped(name, detail, reason):
    """A broken file's text reaches the run log and the terminal only through these two messages."""
    for message in (str(UnreadableFile(name, "UTF-8 CSV text", detail)), Reject(name, 7, reason, "raw").message()):
        assert message.isprintable()
        assert len(message) <= 2 * WORST_CASE + 100


def test_a_header_line_of_any_length_is_cut_in_the_message():
    error = UnreadableFile("surveys/passwd.csv", "a CSV header", "found root:x:0:0:" + "a" * 10_000 + "\x1b[2J")
    assert "\x1b" not in str(error) and "more characters" in str(error) and len(str(error)) < 1200
