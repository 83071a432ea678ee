"""`pyvouch dashboard`: a static, self-contained HTML dashboard built from the history store.

- `gather`: everything the pages show, read through the store's read API
  (`pyvouch.store.queries`, `pyvouch.store.rollups`) into plain dataclasses;
- `charts`: SVG geometry computed from those numbers (no JavaScript, nothing fetched);
- `render`: the pages through Jinja2 templates (``templates/``, autoescaping on: package names,
  reasons and identities come from indexes and attestations and are hostile text);
- `build`: the output folder: checked, written whole (a temporary folder swapped in).

The pages carry a Content-Security-Policy that allows no script and no request: they work
from a ``file://`` URL, from any static server and offline.
"""
