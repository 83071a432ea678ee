"""The install gate: `pyvouch install` resolves what pip would install, verifies exactly those
files, and lets pip install only the digests that passed (a hash-pinned requirements file).

- `pip_options`: pip's install options, parsed as pip parses them, handed back canonically;
- `pip_config`: pip's configuration (PIP_* variables, pip.conf files) as checked options;
- `pip_inputs`: every input pip would act on (options, -r/-c files, groups, scripts), read
  before pip starts; what would make pip run build code is refused, named with its origin;
- `toml_requirements`: dependency groups and PEP 723 script metadata, read as pip reads them;
- `pip_args`: which options go to the resolution and which to the install;
- `pip_runner`: the target interpreter, the pip that serves it, the runs (without pip's own
  configuration, under an audit hook that lets pip start no process);
- `plan`: the gate's policy floor and the hash-pinned requirements file;
- `target`: the target interpreter's marker environment and wheel tags;
- `lock_choice`: `install --lock`: which packages of a lock, and the one file per package the
  installer takes on the target;
- `installers`: pip or uv carrying out the gate (``--require-hashes --no-deps``), and which
  one by default; `uv_resolve`: uv's resolution (``uv pip compile`` into a pylock);
- `tool_run`: running the target interpreter and uv (time limit, one-line errors).

See docs/install-gate.md and docs/install-lock.md.
"""
