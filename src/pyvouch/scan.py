"""Moved to `pyvouch.pipeline` (the spine as a service); kept so existing imports work."""

from pyvouch.pipeline.options import FileChoice, Progress, ScanOptions, release_files
from pyvouch.pipeline.scan import scan, scan_packages_async

__all__ = [
    "FileChoice",
    "Progress",
    "ScanOptions",
    "release_files",
    "scan",
    "scan_packages_async",
]
