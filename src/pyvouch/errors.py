"""One exception hierarchy. Each class carries the exit code DESIGN.md gives it.

Exit codes: 0 all good; 1 findings fail verification or policy; 2 bad usage, configuration
or input; 3 incomplete (the answer could not be determined and the mode requires one).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


class PyvouchError(Exception):
    """Base of every error pyvouch raises on purpose. Its message is one line for the user."""

    exit_code: int = EXIT_USAGE


class UsageError(PyvouchError):
    """Bad arguments or options."""


class InputError(PyvouchError):
    """A file the user gave is unreadable or malformed.

    The message names the file, the place in it (line, key) when known, and the problem.
    """

    def __init__(self, path: object, problem: str, *, where: str | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        self.where = where
        place = f"{self.path}:{where}" if where else self.path
        super().__init__(f"{place}: {problem}")


class ConfigError(InputError):
    """Invalid configuration: names the file and the key path."""


class PublisherSpecError(UsageError):
    """A `--publisher` value that cannot be parsed."""


class TrustRootError(PyvouchError):
    """A trust root could not be loaded or verified."""


class TrustUpdateError(TrustRootError):
    """`pyvouch trust update` could not fetch a TUF-verified root; the old one stays in use."""

    exit_code = EXIT_INCOMPLETE


class IndexLookupError(PyvouchError):
    """An index could not answer (after retries). Scans turn this into status `unknown`."""

    exit_code = EXIT_INCOMPLETE


class OfflineMiss(IndexLookupError):
    """`--offline` was given and the cache does not hold the answer."""


class VerificationAborted(PyvouchError):
    """Verification stopped before every result came back (a worker process died): nothing
    is reported, since what was not verified must not read as verified."""

    exit_code = EXIT_INCOMPLETE


class SigningError(PyvouchError):
    """Signing could not complete; nothing was written."""

    exit_code = EXIT_FINDINGS


class StoreError(PyvouchError):
    """The scan history store cannot be used as asked: a malformed store URL, a database that
    is not a pyvouch store, one written by a newer pyvouch, refused credentials. Its message
    never holds the URL's password."""


class StoreUnavailable(StoreError):
    """The store could not be reached (connection refused, timed out): nothing was written."""

    exit_code = EXIT_INCOMPLETE
