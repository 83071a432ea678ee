"""Does an ``if:`` expression keep a job or step from running on a given event?

A conservative reading of GitHub's expression language: the expression is split at top-level
``||`` (every alternative must exclude the event) and ``&&`` (one excluding conjunct is
enough), and a conjunct excludes the event only when it plainly pins the event or the ref:
``github.event_name == 'release'``, ``github.event_name != 'pull_request'``,
``startsWith(github.ref, 'refs/tags/')``, ``github.ref_type == 'tag'``, or (for
``pull_request`` only: ``pull_request_target`` runs on the base branch's ref)
``github.ref == 'refs/heads/main'``. Anything else is taken as "may run": the linter would
rather ask about a guard it cannot read than miss a path to publishing.
"""

from __future__ import annotations

import re

_PR_EVENTS = ("pull_request", "pull_request_target")
_STATUS_FUNCTIONS = re.compile(r"\b(always|failure|cancelled)\s*\(\s*\)")

_EVENT_EQ = re.compile(
    r"^(?:github\.event_name\s*==\s*'([\w-]+)'|'([\w-]+)'\s*==\s*github\.event_name)$"
)
_EVENT_NE = re.compile(
    r"^(?:github\.event_name\s*!=\s*'([\w-]+)'|'([\w-]+)'\s*!=\s*github\.event_name)$"
)
_TAG_REF = re.compile(
    r"^(?:startsWith\(\s*github\.ref\s*,\s*'refs/tags/?[^']*'\s*\)"
    r"|contains\(\s*github\.ref\s*,\s*'refs/tags/?[^']*'\s*\)"
    r"|github\.ref_type\s*==\s*'tag'"
    r"|github\.ref\s*==\s*'refs/tags/[^']*')$",
    re.IGNORECASE,
)
_BRANCH_REF = re.compile(
    r"^(?:github\.ref\s*==\s*'refs/heads/[^']*'|startsWith\(\s*github\.ref\s*,\s*'refs/heads/"
    r"[^']*'\s*\)|github\.ref_name\s*==\s*'[^']*')$",
    re.IGNORECASE,
)


def strip_expression(text: str) -> str:
    text = text.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2].strip()
    return text


def _split_top(text: str, op: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote = False
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quote = not quote
        elif not quote:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and text.startswith(op, i):
                parts.append(text[start:i])
                i += len(op)
                start = i
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _unparen(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    quote = False
    for ch in text:
        if ch == "'":
            quote = not quote
        elif not quote:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth < 0:
                return False
    return depth == 0


def _atom_excludes(atom: str, event: str) -> bool:
    atom = _unparen(atom)
    match = _EVENT_EQ.match(atom)
    if match:
        return (match.group(1) or match.group(2)) != event
    match = _EVENT_NE.match(atom)
    if match:
        return (match.group(1) or match.group(2)) == event
    if _TAG_REF.match(atom):
        return True
    return bool(_BRANCH_REF.match(atom)) and event == "pull_request"


def excludes_event(expression: str | None, event: str) -> bool:
    """True when ``expression`` (an ``if:``) is false whenever the triggering event is
    ``event``. None (no ``if:``) excludes nothing."""
    if expression is None:
        return False
    text = _unparen(strip_expression(expression))
    alternatives = _split_top(text, "||")
    if len(alternatives) > 1:
        return all(excludes_event(alt, event) for alt in alternatives)
    conjuncts = _split_top(text, "&&")
    if len(conjuncts) > 1:
        return any(excludes_event(c, event) for c in conjuncts)
    return _atom_excludes(text, event)


def overrides_skips(expression: str | None) -> bool:
    """Whether the job runs even when a job it needs was skipped (``always()``...)."""
    return bool(expression and _STATUS_FUNCTIONS.search(expression))


PR_EVENTS = _PR_EVENTS
