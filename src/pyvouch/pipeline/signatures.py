"""The policy's signature settings as the pipeline applies them (`SignaturePolicy`): the
public keys read once, before any lookup, so an unreadable key is one line and exit 2."""

from __future__ import annotations

from pyvouch.policy.schema import Policy
from pyvouch.policy.tiers import normalize
from pyvouch.verify.signature_policy import SignaturePolicy


def signature_policy(policy: Policy) -> SignaturePolicy:
    """``[packages.NAME] key`` / ``allow-no-tlog``, ``--key`` and ``--allow-no-tlog``."""
    if not policy.packages and policy.signature_key is None and not policy.allow_no_tlog:
        return SignaturePolicy()
    from pyvouch.verify.blob_public_key import load_public_key, public_key_from_pem

    keys = {}
    for name, settings in policy.packages.items():
        if settings.key is None:
            continue
        key = (
            public_key_from_pem(settings.key_text.encode(), settings.key)
            if settings.key_text is not None
            else load_public_key(settings.key)
        )
        keys[normalize(name)] = (key, f"{settings.key} ({settings.origin})")
    default = None
    if policy.signature_key is not None:
        default = (load_public_key(policy.signature_key), f"{policy.signature_key} (--key)")
    return SignaturePolicy(
        keys=keys,
        default_key=default,
        allow_no_tlog=frozenset(n for n, s in policy.packages.items() if s.allow_no_tlog),
        allow_no_tlog_all=policy.allow_no_tlog,
    )
