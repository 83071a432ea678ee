"""CycloneDX 1.6 JSON: one component per package, attestation facts as ``pyvouch:`` properties.

Built with ``cyclonedx-python-lib`` and serialised by its 1.6 JSON outputter. Each component
has the purl ``pkg:pypi/<name>@<version>``, the sha256 of its files where the source records
them (also as a ``distribution`` external reference per file when its URL is known), and:

- ``pyvouch:attestation:status`` / ``:coverage`` / ``:publisher`` (one per distinct publisher)
  / ``:signature-kind`` (one per distinct kind) / ``:identity-checked`` (``false`` when some
  verified file was not checked against an expected identity) / ``:reason``
- per file: ``pyvouch:file:<filename>:status``, ``:reason``, ``:publisher``,
  ``:signature-kind`` (pep740, sigstore-bundle, cosign-sig), ``:log-index``
- when a policy decided: ``pyvouch:decision:action``, ``pyvouch:decision:rule``,
  ``pyvouch:decision:reason`` (one per reason)

With ``scan --vulns`` (the report's ``vulns``) the BOM gains a ``vulnerabilities`` section with
VEX analyses (``vulns_cyclonedx.py``).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from cyclonedx.exception.model import InvalidUriException
from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL
from packaging.utils import canonicalize_name

from pyvouch import __version__
from pyvouch.errors import UsageError
from pyvouch.model import PackageResult, ScanResult, Status
from pyvouch.report._common import (
    DEFAULT_OPTIONS,
    RenderOptions,
    identity_unchecked,
    package_publishers,
    package_reason,
    signature_kinds,
)
from pyvouch.report.document import Report
from pyvouch.report.scan_report import as_report

NAMESPACE = "pyvouch"


def purl(name: str, version: str | None) -> PackageURL:
    """The PyPI purl: name normalised (lowercase, runs of ``-_.`` as ``-``)."""
    return PackageURL(type="pypi", name=canonicalize_name(name), version=version or None)


def _properties(pkg: PackageResult) -> list[Property]:
    def prop(name: str, value: str) -> Property:
        return Property(name=f"{NAMESPACE}:{name}", value=value)

    props = [
        prop("attestation:status", pkg.status.value),
        prop("attestation:coverage", pkg.coverage.value),
    ]
    props += [prop("attestation:publisher", spec) for spec in package_publishers(pkg)]
    props += [prop("attestation:signature-kind", kind) for kind in signature_kinds(pkg)]
    if pkg.status is Status.VERIFIED:
        checked = "false" if identity_unchecked(pkg.findings) else "true"
        props.append(prop("attestation:identity-checked", checked))
    reason = package_reason(pkg)
    if reason:
        props.append(prop("attestation:reason", reason))
    if pkg.package.origin is not None:
        props.append(prop("origin", pkg.package.origin))
    for finding in pkg.findings:
        key = f"file:{finding.file.filename}"
        props.append(prop(f"{key}:status", finding.status.value))
        if finding.reason:
            props.append(prop(f"{key}:reason", finding.reason))
        if finding.publisher is not None:
            props.append(prop(f"{key}:publisher", finding.publisher.to_spec()))
        if finding.signature_kind is not None:
            props.append(prop(f"{key}:signature-kind", finding.signature_kind.value))
        if finding.status is Status.VERIFIED:
            props.append(prop(f"{key}:identity-checked", str(finding.identity_checked).lower()))
        for info in finding.attestations:
            if info.log_index is not None:
                props.append(prop(f"{key}:log-index", str(info.log_index)))
            if info.predicate_type:
                props.append(prop(f"{key}:predicate-type", info.predicate_type))
    decision = pkg.decision
    if decision is not None:
        props.append(prop("decision:action", decision.action.value))
        props.append(prop("decision:rule", decision.rule))
        props += [prop("decision:reason", r) for r in decision.reasons]
    return props


def _uri(url: str | None) -> XsUri | None:
    if not url:
        return None
    try:
        return XsUri(url)
    except InvalidUriException:  # recorded as found; an unusable URL is left out, not fatal
        return None


def _component(pkg: PackageResult, bom_ref: str) -> Component:
    hashes: list[HashType] = []
    refs: list[ExternalReference] = []
    for finding in pkg.findings:
        digest = finding.file.sha256
        file_hash = [HashType(alg=HashAlgorithm.SHA_256, content=digest.lower())] if digest else []
        hashes += file_hash
        url = _uri(finding.file.url)
        if url is not None:
            refs.append(
                ExternalReference(
                    type=ExternalReferenceType.DISTRIBUTION,
                    url=url,
                    comment=f"file: {finding.file.filename}",
                    hashes=file_hash,
                )
            )
    return Component(
        type=ComponentType.LIBRARY,
        name=pkg.package.name,
        version=pkg.package.version,
        bom_ref=bom_ref,
        purl=purl(pkg.package.name, pkg.package.version),
        hashes=hashes,
        external_references=refs,
        properties=_properties(pkg),
    )


def build_bom(result: ScanResult) -> Bom:
    bom = Bom()
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="pyvouch", version=__version__)
    )
    bom.metadata.properties.add(Property(name=f"{NAMESPACE}:source", value=result.source))
    bom.metadata.properties.add(
        Property(name=f"{NAMESPACE}:source-format", value=result.source_format)
    )
    bom.metadata.properties.add(Property(name=f"{NAMESPACE}:index-url", value=result.index_url))
    bom.metadata.properties.add(Property(name=f"{NAMESPACE}:mode", value=result.mode))
    if result.run is not None:  # the run's idempotency key for a history store
        bom.serial_number = UUID(result.run.id)
        bom.metadata.timestamp = datetime.fromisoformat(result.run.scanned_at)
        bom.metadata.properties.add(Property(name=f"{NAMESPACE}:run-id", value=result.run.id))
        if result.run.sigstore_version:
            bom.metadata.properties.add(
                Property(name=f"{NAMESPACE}:sigstore-version", value=result.run.sigstore_version)
            )
    for warning in result.warnings:
        bom.metadata.properties.add(Property(name=f"{NAMESPACE}:warning", value=warning))
    seen: dict[str, int] = {}
    for pkg in result.packages:
        ref = purl(pkg.package.name, pkg.package.version).to_string()
        seen[ref] = seen.get(ref, 0) + 1
        if seen[ref] > 1:  # the same name and version twice (e.g. two sources): keep both
            ref = f"{ref}#{seen[ref]}"
        bom.components.add(_component(pkg, ref))
    return bom


def supports(report: Report) -> bool:
    """An SBOM lists packages: only a scan's (or install's) report has them."""
    return report.scan is not None


def render(value: Report | ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    report = as_report(value)
    if report.scan is None:
        raise UsageError(f"--format cyclonedx does not apply to `pyvouch {report.command}`")
    bom = build_bom(report.scan)
    if report.vulns is not None:  # scan --vulns: the VEX section
        from pyvouch.report.vulns_cyclonedx import add_vulnerabilities

        add_vulnerabilities(bom, report.vulns)
    outputter = make_outputter(bom, OutputFormat.JSON, SchemaVersion.V1_6)
    return outputter.output_as_string(indent=2) + "\n"
