"""The sources: one module per publisher's dataset, each defining a ``SOURCE`` (see base.py)."""
