"""The test authority, a minter and an own cache per test (as for the policy commands)."""

from tests.policy_cmds.conftest import _own_cache, minter, trust_root

__all__ = ["_own_cache", "minter", "trust_root"]
