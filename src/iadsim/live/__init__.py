"""The live mode: a replication paced to the wall clock, with external threats over DIS.

* :mod:`iadsim.live.run`: the pacing observer and :func:`~iadsim.live.run.run_live`;
* :mod:`iadsim.live.external`: external threats in pre-allocated slots, flown from Entity State PDUs.
"""
