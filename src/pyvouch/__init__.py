"""pyvouch: sign, verify and inventory PEP 740 attestations for Python packages."""

__version__ = "0.1.0"
