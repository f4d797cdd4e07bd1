"""Assessment: capability catalogue, declared needs, opportunities, dependence, the composite
reciprocity index with its interval and null model, program scenarios and alerts.

Pure functions over frames from the store (``inputs`` is the only module that reads it;
``service`` ties the two together for the CLI and the API). Settings, weights, needs,
scenarios and alert rules are YAML files validated before use; defaults ship in
``reciprocity/data/assess``. See docs/assessment.md and docs/methods.md.
"""
