"""Validation of the whole engine against analytic oracles (docs/validation.md).

:mod:`iadsim.validation.oracles` holds the oracles (seeded Monte Carlo of small scenarios against closed
forms), :mod:`iadsim.validation.scenarios` their scenarios, :mod:`iadsim.validation.stats` the statistical
tests. They use the idealised validation modes of the scenario language: ``validation: {perfect_tracking:
true}`` (:class:`iadsim.tracking.truth_tracker.TruthTracker`) and the constant-Pk lethality ``kind: fixed``
(:class:`iadsim.scenario.catalog_models.Lethality`). ``tests/validation/`` runs every oracle with few
replications; ``benchmarks/validation.py`` runs them with more and writes docs/validation.md.
"""
