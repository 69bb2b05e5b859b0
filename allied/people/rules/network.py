"""The network of ties: who has met whom, and where it is thin (pure; networkx only).

Nodes are officials (with their nation), edges join two officials who took part in the same
contact (weighted by how often). The measures say where the network depends on one person or one
tie: articulation points (people whose departure splits the network), bridges (ties whose loss
does), and, for each partner, the people whose departure would cut that partner off from every
U.S. official. Built only from the nodes and edges passed in: the caller passes what its viewer
may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from allied.people.rules.coverage import Key

HOME = "USA"
_SOURCE = ("__home__",)
_SINK = ("__partner__",)


@dataclass(frozen=True)
class Tie:
    a: Key
    b: Key
    weight: int


def build(nations: Mapping[Key, str], ties: Iterable[Tie]) -> nx.Graph:
    """An undirected graph of officials (``nation`` attribute) and their ties (``weight``)."""
    graph = nx.Graph()
    for node, nation in nations.items():
        graph.add_node(node, nation=nation)
    for tie in ties:
        if tie.a == tie.b or tie.a not in nations or tie.b not in nations:
            continue
        if graph.has_edge(tie.a, tie.b):
            graph[tie.a][tie.b]["weight"] += tie.weight
        else:
            graph.add_edge(tie.a, tie.b, weight=tie.weight)
    return graph


def _sorted(nodes: Iterable[Key]) -> list[Key]:
    return sorted(nodes, key=repr)


def connected(graph: nx.Graph, partner: str, home: str = HOME, without: Key | None = None) -> bool:
    """Whether any official of ``partner`` is linked, by some chain of ties, to one of ``home``."""
    homes = {n for n, d in graph.nodes(data=True) if d.get("nation") == home and n != without}
    partners = {n for n, d in graph.nodes(data=True) if d.get("nation") == partner and n != without}
    if not homes or not partners:
        return False
    view = graph if without is None else nx.restricted_view(graph, [without], [])
    for component in nx.connected_components(view):
        if component & homes and component & partners:
            return True
    return False


def cut_off_by(graph: nx.Graph, partner: str, home: str = HOME) -> list[Key]:
    """The people whose departure alone would leave ``partner`` with no chain of ties to any
    official of ``home`` (empty when the partner is already cut off, or has no single point)."""
    if not connected(graph, partner, home):
        return []
    joined = graph.copy()
    joined.add_node(_SOURCE)
    joined.add_node(_SINK)
    for node, data in graph.nodes(data=True):
        if data.get("nation") == home:
            joined.add_edge(_SOURCE, node)
        elif data.get("nation") == partner:
            joined.add_edge(_SINK, node)
    out = []
    for node in nx.articulation_points(joined):
        if node in (_SOURCE, _SINK):
            continue
        view = nx.restricted_view(joined, [node], [])
        if not nx.has_path(view, _SOURCE, _SINK):
            out.append(node)
    return _sorted(out)


@dataclass(frozen=True)
class Measures:
    people: int
    ties: int
    components: int
    articulation_points: list[Key]
    bridges: list[tuple[Key, Key]]
    degree: dict[Key, int]
    #: partner -> people whose departure cuts it off from every U.S. official
    cut_off_by: dict[str, list[Key]]
    #: partners with officials in the network but no chain of ties to any U.S. official
    cut_off: list[str]


def measures(graph: nx.Graph, home: str = HOME) -> Measures:
    partners = sorted(
        {d["nation"] for _, d in graph.nodes(data=True) if d.get("nation") not in (None, home)}
    )
    cuts: dict[str, list[Key]] = {}
    isolated: list[str] = []
    for partner in partners:
        if connected(graph, partner, home):
            cuts[partner] = cut_off_by(graph, partner, home)
        else:
            isolated.append(partner)
    bridges = (
        [tuple(_sorted(edge)) for edge in nx.bridges(graph)] if graph.number_of_edges() else []
    )
    return Measures(
        people=graph.number_of_nodes(),
        ties=graph.number_of_edges(),
        components=nx.number_connected_components(graph) if graph.number_of_nodes() else 0,
        articulation_points=_sorted(nx.articulation_points(graph)),
        bridges=sorted(
            ((b[0], b[1]) if repr(b[0]) <= repr(b[1]) else (b[1], b[0]) for b in bridges), key=repr
        ),
        degree={node: int(deg) for node, deg in graph.degree()},
        cut_off_by=cuts,
        cut_off=isolated,
    )


def layout(graph: nx.Graph, seed: int = 7) -> dict[Key, tuple[float, float]]:
    """Positions in the unit square (a force-directed layout, the same for the same graph)."""
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.5, 0.5)}
    ordered = nx.Graph()
    ordered.add_nodes_from(_sorted(graph.nodes))
    ordered.add_edges_from(sorted((tuple(_sorted(e)) for e in graph.edges), key=repr))
    raw = nx.spring_layout(ordered, seed=seed, iterations=60)
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {
        node: ((float(p[0]) - min(xs)) / span_x, (float(p[1]) - min(ys)) / span_y)
        for node, p in raw.items()
    }
