"""Command and control: the command post's cycle, the C2 network, degraded modes, threats to the defense.

:mod:`~iadsim.c2.command_post` (threat evaluation and doctrine every cycle), :mod:`~iadsim.c2.network`
(links with latency, jitter, loss, capacity; routes, cuts), :mod:`~iadsim.c2.stage` (the engine component:
messages on the event queue, autonomous fire units, engage-on-remote, EMCON, lost nodes),
:mod:`~iadsim.c2.nodes` (leakers and anti-radiation missiles aimed at defense nodes). The modules are imported
by name: the stage imports the engine's event kinds and the engine imports the stage.
"""
