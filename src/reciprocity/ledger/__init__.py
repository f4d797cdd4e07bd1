"""The cooperation ledger: programs and directional transfers with an audit trail.

Records are read from (and written to) a YAML interchange file or a transfers CSV
(:mod:`reciprocity.ledger.io`), validated as a whole (:mod:`reciprocity.ledger.model`), kept
in the store one row per version (:mod:`reciprocity.ledger.schema`,
:mod:`reciprocity.ledger.ledger`), checked for technology-for-technology reciprocity and
planned-versus-actual variances (:mod:`reciprocity.ledger.checks`), and fed to the ``flows``
table as channel ``programs`` (:mod:`reciprocity.ledger.flows`). See ``docs/ledger.md``.
"""
