"""policy_files: the files the policy comes from, read and edited.

`pyvouch.policy` decides and does no I/O; this package finds and reads the policy file,
``pyvouch.lock.toml`` and the alternatives, and edits policy files and locks (tomlkit) so
comments and order survive. Text in, text out for edits: the caller writes atomically.
"""
