"""The organisation's pseudonymisation secret, and the keyed hash that turns an identity into a key.

Published marts name engineers and identities only by HMAC-SHA256 of the value under a secret that
never leaves the workdir: without the secret, a roster file or a guessed email cannot be hashed into
a published key. dbt computes the same hash in SQL (dbt_project/macros/pseudonymise.sql) and reads
the secret from this file at query time, so the secret appears in no compiled SQL, log or manifest.

Rotating: delete the file (or replace it with 64 new hex digits). Every key changes with it, and the
next full refresh republishes the whole history under the new keys; keys in older releases and in
extracts taken from them no longer match the new ones (that is the point of rotating).
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_BYTES = 32


class PseudonymKeyError(ValueError):
    """The secret file exists but does not hold what it should."""


def ensure_key(path: Path) -> Path:
    """Create the secret (owner-only, 0600 in a 0700 folder) unless it exists; check it either way."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    read_key(path)
    return path


def read_key(path: Path) -> bytes:
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        # the message never repeats the file's content: it is a secret, even when malformed
        raise PseudonymKeyError(
            f"{path}: expected {KEY_BYTES * 2} hex digits (the pseudonymisation secret); "
            "delete the file to have a new secret generated on the next run (every published key changes)"
        )
    return key


def pseudonym(key: bytes, value: str) -> str:
    """HMAC-SHA256 of the value's UTF-8 bytes, lower-case hex: what the dbt macro computes."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
