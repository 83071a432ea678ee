"""Installed files against what was verified (environment scans).

An environment scan verifies the index's wheel for each installed distribution; this package
checks that the installed files are that wheel's files:

- `record`: an installed distribution's ``RECORD`` (read with ``importlib.metadata``), or why
  it cannot be checked;
- `files`: every file ``RECORD`` lists against its hash (hashed once, streamed), plus
  importable files planted in the distribution's own directories that no ``RECORD`` lists;
- `wheel`: the digests of a downloaded wheel's members (the verified bytes), within limits;
- `compare`: the installed files against the wheel's members, allowing only what an installer
  legitimately changes or adds;
- `check`: one installation read (`inspect_installation`), the release's wheel it came from
  (`matching_wheel`) and the file finding that results (`judge`).

All of it is local: nothing here imports the index. Downloading the verified wheel and keeping
its manifest between scans is `pyvouch.wheel_fetch`, above the index in the layers.

See docs/scan.md ("Environments: installed files").
"""
