from tests.support.authority_fixtures import authority, served_authority, trust_files

__all__ = ["authority", "served_authority", "trust_files"]
