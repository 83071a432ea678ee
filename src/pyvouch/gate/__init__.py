"""The install gate: `pyvouch install` resolves what pip would install, verifies exactly those
files, and lets pip install only the digests that passed (a hash-pinned requirements file).

- `pip_args`: which of the user's pip arguments go to the resolution and which to the install;
- `pip_runner`: the target interpreter, the pip that serves it, its configured index, the runs;
- `pip_report`: pip's installation report (version 1) turned into `Package`s with exact files;
- `plan`: the gate's policy floor and the hash-pinned requirements file.

See docs/install-gate.md.
"""
