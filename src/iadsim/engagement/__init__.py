"""Engagement physics: fly-out, predicted intercept points, intercept outcome."""

from iadsim.engagement.flyout import InterceptWindow, earliest_intercepts, resolve_intercept, salvo_pk

__all__ = ["InterceptWindow", "earliest_intercepts", "resolve_intercept", "salvo_pk"]
