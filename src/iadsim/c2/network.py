"""The C2 network: nodes, links with latency, jitter, loss and capacity, routes, cuts and lost nodes.

Nodes are the command post (0), the sensors (``1..S``) and the fire units (``S+1..S+F``)
(:class:`~iadsim.scenario.compiled.NetworkSpec`). A node named in no link sits with the command post: its
messages to the command post take no time and are never lost. Links are two-way; a message goes along the
route with the fewest hops over the links that are up and the nodes that are alive (breadth-first search,
ties to the lower link index, so routes are deterministic), and on each hop:

* it waits for the link in its direction: a link of ``capacity`` C messages per second sends a batch of n
  messages in ``n / C`` seconds, first come first served (a D/D/1 queue per link direction: Kleinrock,
  *Queueing Systems*, vol. 1, 1975, ch. 1);
* it then takes a draw of the link's latency distribution (constant, uniform, lognormal or shifted
  exponential) plus a normal jitter of standard deviation ``jitter`` (their sum clipped at zero);
* each message of the batch is lost with the link's probability ``loss``, independently (Bernoulli loss, the
  Gilbert model with no memory).

A cut takes a link down over its window; a destroyed node takes every link of it down at once. All draws come
from the network's own generator, in the order the messages are sent, so a run stays deterministic.
"""

from __future__ import annotations

from collections import deque

import numpy as np


class Network:
    """Routes and message delays of a :class:`~iadsim.scenario.compiled.NetworkSpec` (module docstring)."""

    def __init__(self, spec, rng: np.random.Generator):
        self.spec = spec
        self.rng = rng
        self.N = len(spec.nodes)
        self.L = spec.link_ends.shape[0]
        self.link_up = np.ones(self.L, bool)
        self.node_alive = np.ones(self.N, bool)
        self.busy = np.zeros((self.L, 2))  # time each link direction is free again
        self.adj: list[list[tuple[int, int]]] = [[] for _ in range(self.N)]  # node -> [(link, other end)]
        for k, (a, b) in enumerate(spec.link_ends.tolist()):
            self.adj[a].append((k, b))
            self.adj[b].append((k, a))
        self.n_sent = 0
        self.n_lost = 0

    def _attach(self, n: int) -> int:
        return n if self.spec.wired[n] else 0

    def route(self, a: int, b: int) -> list[tuple[int, int]] | None:
        """Hops ``[(link, direction)]`` from node ``a`` to ``b`` (``[]``: the same place), None without a route."""
        a, b = self._attach(a), self._attach(b)
        if not (self.node_alive[a] and self.node_alive[b]):
            return None
        if a == b:
            return []
        prev = {a: None}
        todo = deque([a])
        while todo:
            n = todo.popleft()
            for k, m in self.adj[n]:
                if m in prev or not self.link_up[k] or not self.node_alive[m]:
                    continue
                prev[m] = (n, k)
                if m == b:
                    hops = []
                    while prev[m] is not None:
                        n0, k0 = prev[m]
                        hops.append((k0, 0 if self.spec.link_ends[k0, 0] == n0 else 1))
                        m = n0
                    return hops[::-1]
                todo.append(m)
        return None

    def connected(self, a: int, b: int) -> bool:
        return self.route(a, b) is not None

    def _latency(self, k: int) -> float:
        lat = self.spec.links[k].latency
        rng = self.rng
        if lat.kind == "constant":
            d = lat.value
        elif lat.kind == "uniform":
            d = rng.uniform(lat.low, lat.high)
        elif lat.kind == "lognormal":
            d = lat.median * float(np.exp(lat.sigma * rng.standard_normal()))
        else:
            d = lat.min + rng.exponential(lat.mean)
        jitter = self.spec.links[k].jitter
        if jitter > 0:
            d += jitter * rng.standard_normal()
        return max(float(d), 0.0)

    def send(self, t: float, a: int, b: int, n: int = 1):
        """Send a batch of ``n`` messages from node ``a`` to ``b`` at time ``t``.

        Returns ``(t_arrival, delivered (n,) bool)``; ``(None, all False)`` when there is no route.
        """
        hops = self.route(a, b)
        self.n_sent += n
        if hops is None:
            self.n_lost += n
            return None, np.zeros(n, bool)
        ok = np.ones(n, bool)
        t_hop = float(t)
        for k, d in hops:
            link = self.spec.links[k]
            if link.capacity is not None:
                start = max(t_hop, self.busy[k, d])
                self.busy[k, d] = start + n / link.capacity
                t_hop = self.busy[k, d]
            t_hop += self._latency(k)
            if link.loss > 0:
                ok &= self.rng.random(n) >= link.loss
        self.n_lost += int(n - ok.sum())
        return t_hop, ok
