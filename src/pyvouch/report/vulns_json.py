"""JSON with ``--vulns``: the ``pyvouch-scan/1`` document plus a ``vulnerabilities`` member
(its schema: ``report/schema/scan-v1.json``; fields: docs/vulns.md)."""

from __future__ import annotations

from pyvouch.model import ScanResult
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions, json_text
from pyvouch.report.json_report import to_document
from pyvouch.report.vulns_common import section_data
from pyvouch.vulns.model import VulnAssessment


def render(
    result: ScanResult, vulns: VulnAssessment, options: RenderOptions = DEFAULT_OPTIONS
) -> str:
    return json_text({**to_document(result), "vulnerabilities": section_data(vulns)})
