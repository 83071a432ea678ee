"""registry: builds a static PEP 503/691/740 index from a folder of dists (`index build`).

The other side of `pyvouch.index`, which is the client only.
"""
