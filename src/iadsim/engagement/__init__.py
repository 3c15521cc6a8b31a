"""Engagement physics: fire units, interceptors in flight (3-DOF fly-out and guidance), kinematic envelopes,
lethality, and the engagement bookkeeping (see docs/architecture.md)."""

from iadsim.engagement.envelope import EnvelopeSet, EnvelopeTable, InterceptWindow, earliest_intercepts, envelope_table
from iadsim.engagement.lethality import salvo_kill_probability, single_shot_pk

__all__ = ["EnvelopeSet", "EnvelopeTable", "InterceptWindow", "earliest_intercepts", "envelope_table",
           "salvo_kill_probability", "single_shot_pk"]
