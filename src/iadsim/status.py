"""Status codes shared along the kill chain (the bottom of the import graph: it imports nothing of iadsim).

Threat status, per object of a replication: not launched yet, flying, intercepted (killed by an
interceptor), leaked (a threat that reached the end of its flight alive), ended (an object that is not a
threat, a decoy or a spent stage, that reached the ground or broke up), cancelled (an object never
released because its parent was intercepted first).
"""

NOT_LAUNCHED, FLYING, INTERCEPTED, LEAKED, ENDED, CANCELLED = 0, 1, 2, 3, 4, 5
STATUS_NAMES = ("not_launched", "flying", "intercepted", "leaked", "ended", "cancelled")
