"""The timeline of policy events: treaties, agreements, export-control changes, program
milestones, disputes and reports, each dated as precisely as its sources allow and cited.

Read from (and written to) a YAML interchange file (:mod:`reciprocity.events.io`), validated
as a whole (:mod:`reciprocity.events.model`), kept in the store one row per version with the
ledger's audit trail (:mod:`reciprocity.events.schema`, :mod:`reciprocity.events.store`).
See ``docs/events.md``.
"""
