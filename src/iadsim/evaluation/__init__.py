"""Threat evaluation: predicted impact or closest approach, threatened asset, time to go, value."""

from iadsim.evaluation.predict import fg_series, predict_positions
from iadsim.evaluation.threat_evaluation import ThreatAssessment, ThreatEvaluator, kinematic_class

__all__ = ["ThreatAssessment", "ThreatEvaluator", "fg_series", "kinematic_class", "predict_positions"]
