"""The verified wheel of an installation, fetched from the index (environment scans).

The part of the installed-files check that needs the index, above it in the layers:

- `fetch`: download the wheel the scan verified, trusting it only by its digest, and read its
  members (`pyvouch.installed.wheel`);
- `manifests`: those members' digests kept between scans, sealed with the machine key, so a
  warm scan need not download every wheel again.

Everything local (RECORD, the installed files, the comparison) is `pyvouch.installed`, below
the index: reading an environment needs no network stack.
"""
