"""policy: configuration, tiers, pins, exceptions and decisions (see docs/policy.md).

It reads the configuration file it is given (and ``pyvouch.lock.toml`` when asked) and
otherwise does no I/O: `decide_all` takes a scan result, a `Policy` and today's date.
"""
