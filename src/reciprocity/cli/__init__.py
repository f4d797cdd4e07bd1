"""The ``reciprocity`` command line: one module per command group, one exit path."""
