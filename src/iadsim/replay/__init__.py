"""The browser replay of a run and its export to CZML and KML.

- :mod:`iadsim.replay.data`: the replay document (units, trajectories, tracks, engagements, markers) built
  from a run directory read through :func:`iadsim.rundir.read_run_dir`;
- :mod:`iadsim.replay.symbols`: the MIL-STD-2525D symbol codes of what is drawn;
- :mod:`iadsim.replay.serve`: the page (``static/``, built from ``frontend/``) written as a folder or served
  on loopback;
- :mod:`iadsim.replay.export`: the trajectories as CZML (czml3) and KML.
"""
