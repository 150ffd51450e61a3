"""How hard Graphviz works on a layout, by the size of the graph.

Graphviz's ``dot`` improves a layout until it can do no better: for a few thousand
nodes that is seconds, for ten thousand many minutes (its time grows about as n^2.4).
Up to :data:`FULL` nodes it keeps doing so (the lecture's graphs, a 1,000-node MLP:
the pictures do not change); above, its own limits bound the work of each phase:

* ``nslimit1``, ``nslimit``: the network-simplex passes that rank the nodes and then
  place them across the ranks stop after :data:`ITERATIONS` improvements (an attribute
  Graphviz multiplies by the number of nodes, so given as that many over the nodes);
* ``searchsize``: each improvement looks at a few candidate edges, not every one;
* ``mclimit``, ``remincross``: fewer passes of reducing crossings, and no second round;
* ``newrank``: the ranking that takes the graph whole (the classic one takes many times
  longer in older Graphviz programs: 2.43 ranks a 10,000-node MLP in minutes, not seconds).
  It recurses along the graph's longest chain, deeper than the WebAssembly build's stack
  holds for a chain of thousands of operations: a graph deeper than :data:`NEWRANK_DEPTH`
  keeps the classic ranking (a chain is quick to rank either way).

Every node still gets its place in one layout, and the same graph the same place every time.
"""

from __future__ import annotations

FULL = 6000
"""Graphs with fewer nodes (as Graphviz counts them) than this are laid out with full effort."""

ITERATIONS = 600
"""At most this many network-simplex improvements per pass in a graph over :data:`FULL` nodes."""


NEWRANK_DEPTH = 1000
"""Graphs whose longest chain of operations is longer than this keep Graphviz's classic ranking."""


def effort(nodes: int, depth: int = 0) -> dict[str, str]:
    """Graphviz's graph attributes that bound its work on a graph of ``nodes`` nodes whose
    longest chain of operations is ``depth`` long (none below :data:`FULL` nodes)."""
    if nodes < FULL:
        return {}
    share = f"{ITERATIONS / nodes:.6f}".rstrip("0")
    limits = {"nslimit": share, "nslimit1": share, "searchsize": "10", "mclimit": "0.2", "remincross": "false"}
    return limits if depth > NEWRANK_DEPTH else {**limits, "newrank": "true"}
