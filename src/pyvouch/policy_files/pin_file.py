"""Read ``pyvouch.lock.toml``, the pins of lock formats that cannot hold them.

The format and its validation are `pyvouch.policy.pins`'s; this module only reads the file.
"""

from __future__ import annotations

from pathlib import Path

from pyvouch.policy.pins import parse_pin_data
from pyvouch.policy.schema import Pin
from pyvouch.tomlfile import read_toml


def load_pin_file(path: Path) -> dict[str, tuple[Pin, ...]]:
    """Read ``pyvouch.lock.toml``: ``{normalized name: pins}``.

    The file::

        lock-version = "1"

        [[packages]]
        name = "requests"
        version = "2.32.3"            # optional: the release the pin was recorded from

        [[packages.attestation-identities]]
        kind = "GitHub"
        repository = "psf/requests"
        workflow = "publish.yml"

    Raises `ConfigError` naming the file, the key path and the problem.
    """
    data = read_toml(path)
    return parse_pin_data(data, path)
