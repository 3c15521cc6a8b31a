"""Metrics over run results: tracking quality (GOSPA, OSPA, NEES, continuity)."""

from iadsim.metrics.tracking import GOSPA, Continuity, gospa, nees, nees_interval, ospa, track_continuity

__all__ = ["GOSPA", "Continuity", "gospa", "nees", "nees_interval", "ospa", "track_continuity"]
