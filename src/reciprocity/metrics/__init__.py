"""Reciprocity metrics: pure functions of flow totals, with no I/O of their own."""
