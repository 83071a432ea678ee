"""The vendored OASIS SARIF 2.1.0 schema (tests/assets/schemas) as a validator: no network."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SARIF_SCHEMA = (
    Path(__file__).resolve().parents[1] / "assets" / "schemas" / "sarif-schema-2.1.0.json"
)


@functools.cache
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator  # the OASIS schema declares draft-04
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def sarif_errors(document: Any) -> list[str]:
    """Every way ``document`` breaks the schema, as readable lines (empty: it is valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in sarif_validator().iter_errors(document)
    ]
