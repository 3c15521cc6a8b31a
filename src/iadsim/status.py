"""Status codes shared along the kill chain (the bottom of the import graph: it imports nothing of iadsim).

Threat status, per threat of a replication: not launched yet, flying, intercepted (killed by an
interceptor), leaked (reached the end of its flight alive).
"""

NOT_LAUNCHED, FLYING, INTERCEPTED, LEAKED = 0, 1, 2, 3
STATUS_NAMES = ("not_launched", "flying", "intercepted", "leaked")
