"""Queries over the store: dyad, partners, explain, sources and diff. Front ends call these."""
