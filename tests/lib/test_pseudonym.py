"""The pseudonymisation secret: created once, owner-only, outside published/, never echoed when broken."""

import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.lib.pseudonym import KEY_BYTES, PseudonymKeyError, ensure_key, read_key
from orchestration.lib.workspace import Workspace


def test_the_first_run_creates_an_owner_only_secret_that_later_runs_keep(tmp_path):
    workspace = Workspace(landing=tmp_path / "landing", workdir=tmp_path / "work")
    workspace.prepare()
    key = read_key(workspace.pseudonym_key)
    assert len(key) == KEY_BYTES
    assert stat.S_IMODE(workspace.pseudonym_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(workspace.pseudonym_key.parent.stat().st_mode) == 0o700
    assert workspace.published not in workspace.pseudonym_key.parents
    ensure_key(workspace.pseudonym_key)
    assert read_key(workspace.pseudonym_key) == key


def test_two_workdirs_get_different_secrets(tmp_path):
    first, second = ensure_key(tmp_path / "a" / "pseudonym.key"), ensure_key(tmp_path / "b" / "pseudonym.key")
    assert read_key(first) != read_key(second)


# a secret cut short or grown, or the right length with a character that is not hex
broken_secrets = st.text(alphabet="0123456789abcdef", min_size=8, max_size=130).filter(
    lambda text: len(text) != 2 * KEY_BYTES
) | st.text(alphabet="0123456789abcdefxyz", min_size=2 * KEY_BYTES, max_size=2 * KEY_BYTES).filter(
    lambda text: any(character in "xyz" for character in text)
)


@given(broken_secrets)
def test_a_broken_secret_is_refused_without_showing_it(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("secret") / "pseudonym.key"
    path.write_text(text + "\n")
    with pytest.raises(PseudonymKeyError) as error:
        ensure_key(path)
    message = str(error.value)
    assert message.startswith(str(path)) and "delete the file" in message
    assert text not in message
