"""The ids of a drawing's elements and of its changing texts, as data.

Every element of a scene (a gate, an input, a wire, a junction, a group's box) has an
:class:`ElementId`; every *slot* (a text that changes from step to step, a heatmap, one
of its cells) a :class:`Slot`. vizgrad's code makes them by their named constructors
(``Slot.grad(3)``, ``ElementId.branch(3, 5, 0)``) and reads their fields
(``slot.kind == "value"``, ``el.id.node``); it never takes their text apart.

An id *is* its text: both classes are immutable ``str`` subclasses, and :func:`spell`
is the one place an id is written. So an id is a dict key (``scene.final``,
``scene.changes``, a template's holes, a live drawing's rooms), equal to its text and
hashed as it; and it goes into the DOT source, the SVG (``id=``, ``data-slot=``), saved
pages and their JavaScript as that text, which reads:

========================  =====================================================
``n3``, ``n3@2``          node 3 (a gate or an input); an input's copy 2
``w3``, ``w3@2``          the wire out of node 3; the wire out of copy 2
``w3.5.0``                a fork's branch: node 3's wire to input 0 of node 5
``j3``, ``c1``, ``out``   node 3's fork junction; group 1's box; the output's name
``v3``, ``v3@2``          node 3's value (on copy 2's wire)
``g3``, ``g3@2``          node 3's gradient (copy 2's own contribution)
``g3.5.0``                what node 5 sends back to node 3 through its input 0
``s3@2``                  the sum of node 3's gradients, under copy 2's name
``hv3``, ``hg3``          the heatmap of node 3's value, of its gradient
``hv3.17``                cell 17 of that heatmap (row by row)
========================  =====================================================
"""

from __future__ import annotations

from typing import Any

_ELEMENT_HEADS = {"node": "n", "wire": "w", "junction": "j", "cluster": "c", "output": "out"}
_SLOT_HEADS = {"value": "v", "grad": "g", "sum": "s", "heat": "h", "cell": "h"}
_HEAT_OF = {"value": "v", "grad": "g"}  # a heatmap shows a value or a gradient


def spell(head: str, number: int | None = None, use: tuple[int, int] | None = None,
          copy: int | None = None, cell: int | None = None) -> str:
    """An id's text, the only place one is written: ``head``, ``number``, then ``.j.k``
    (a ``use``: gate ``j``'s input ``k``), ``@c`` (a ``copy``) and ``.k`` (a heatmap's ``cell``)."""
    text = head if number is None else f"{head}{number}"
    if use is not None:
        text += f".{use[0]}.{use[1]}"
    if copy is not None:
        text += f"@{copy}"
    if cell is not None:
        text += f".{cell}"
    return text


_MADE: dict[tuple, _Id] = {}  # ids made lately, by their fields: a drawing names the same ids many times
MOST_KEPT = 1 << 16


def _keep(key: tuple, made: _Id) -> None:
    if len(_MADE) >= MOST_KEPT:
        _MADE.clear()
    _MADE[key] = made


class _Id(str):
    """An immutable id that is its own text; its fields are set once, in ``__new__``."""

    _FIELDS: tuple[str, ...] = ()

    def _set(self, **fields: Any) -> None:
        self.__dict__.update(fields)  # (once, in __new__: __setattr__ refuses)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} {str(self)!r} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} {str(self)!r} is immutable")

    def __reduce__(self) -> tuple:  # pickle and copy by the fields, not the text
        return (type(self), tuple(getattr(self, f) for f in self._FIELDS))


class ElementId(_Id):
    """The id of an element of a drawing.

    ``kind``: ``"node"`` (a gate or an input: the element's own kind tells which),
    ``"wire"``, ``"junction"``, ``"cluster"`` (a group's box) or ``"output"`` (the
    output's name); ``node``: the position in the trace of the node it draws (of the
    node whose value a wire carries); ``copy``: which copy of a leaf drawn once per use;
    ``use``: a fork's branch, ``(j, k)``: to input ``k`` of node ``j``; ``group``: a
    cluster's group, by number.
    """

    kind: str
    node: int | None
    copy: int | None
    use: tuple[int, int] | None
    group: int | None
    _FIELDS = ("kind", "node", "copy", "use", "group")

    def __new__(cls, kind: str, node: int | None = None, copy: int | None = None,
                use: tuple[int, int] | None = None, group: int | None = None) -> ElementId:
        key = (cls, kind, node, copy, use, group)
        made = _MADE.get(key)
        if made is None:
            if kind not in _ELEMENT_HEADS:
                raise ValueError(f"no element kind {kind!r}: one of {', '.join(_ELEMENT_HEADS)}")
            made = super().__new__(cls, spell(_ELEMENT_HEADS[kind], group if kind == "cluster" else node, use, copy))
            made._set(kind=kind, node=node, copy=copy, use=use, group=group)
            _keep(key, made)
        return made

    @classmethod
    def node_at(cls, i: int, copy: int | None = None) -> ElementId:
        """Node ``i`` (a gate or an input), or copy ``copy`` of an input drawn once per use."""
        return cls("node", i, copy)

    @classmethod
    def wire(cls, i: int, copy: int | None = None) -> ElementId:
        """The wire out of node ``i`` (out of its copy ``copy``): a fork's trunk too."""
        return cls("wire", i, copy)

    @classmethod
    def branch(cls, i: int, j: int, k: int) -> ElementId:
        """A fork's branch: node ``i``'s wire from its junction to input ``k`` of node ``j``."""
        return cls("wire", i, use=(j, k))

    @classmethod
    def junction(cls, i: int) -> ElementId:
        """Where the wire of node ``i`` forks."""
        return cls("junction", i)

    @classmethod
    def cluster(cls, c: int) -> ElementId:
        """The box of group ``c``."""
        return cls("cluster", group=c)

    @classmethod
    def output(cls) -> ElementId:
        """The output's name, at the end of its wire."""
        return cls("output")


class Slot(_Id):
    """The id of a slot: a text that changes from step to step, a heatmap, or one of its cells.

    ``kind``: ``"value"``, ``"grad"``, ``"sum"`` (the total gradient under a copy's name),
    ``"heat"`` (a heatmap: shown or not) or ``"cell"`` (a heatmap's cell: its colour);
    ``node``: the position in the trace of the node it is about; ``copy``: the copy of a
    leaf drawn once per use whose texts it is; ``use``: a fork's branch, ``(j, k)``: what
    input ``k`` of node ``j`` sends back; ``of``: what a heatmap or cell shows, ``"value"``
    or ``"grad"``; ``cell``: a cell's number, row by row.
    """

    kind: str
    node: int
    copy: int | None
    use: tuple[int, int] | None
    of: str | None
    cell: int | None
    _FIELDS = ("kind", "node", "copy", "use", "of", "cell")

    def __new__(cls, kind: str, node: int, copy: int | None = None, use: tuple[int, int] | None = None,
                of: str | None = None, cell: int | None = None) -> Slot:
        key = (cls, kind, node, copy, use, of, cell)
        made = _MADE.get(key)
        if made is None:
            if kind not in _SLOT_HEADS:
                raise ValueError(f"no slot kind {kind!r}: one of {', '.join(_SLOT_HEADS)}")
            if (kind in ("heat", "cell")) != (of in _HEAT_OF) or (kind == "cell") != (cell is not None):
                raise ValueError(f"a {kind} slot with of={of!r} and cell={cell!r}")
            head = _SLOT_HEADS[kind] + (_HEAT_OF[of] if of is not None else "")
            made = super().__new__(cls, spell(head, node, use, copy, cell))
            made._set(kind=kind, node=node, copy=copy, use=use, of=of, cell=cell)
            _keep(key, made)
        return made

    @classmethod
    def value(cls, i: int, copy: int | None = None) -> Slot:
        """Node ``i``'s value, on its wire (on the wire of its copy ``copy``)."""
        return cls("value", i, copy)

    @classmethod
    def grad(cls, i: int, copy: int | None = None) -> Slot:
        """Node ``i``'s gradient, under its wire (under copy ``copy``'s wire: that use's own share)."""
        return cls("grad", i, copy)

    @classmethod
    def branch(cls, i: int, j: int, k: int) -> Slot:
        """A fork's branch: what input ``k`` of node ``j`` sends back to node ``i``."""
        return cls("grad", i, use=(j, k))

    @classmethod
    def sum(cls, i: int, copy: int) -> Slot:
        """The sum of node ``i``'s gradients, under the name of its copy ``copy``."""
        return cls("sum", i, copy)

    @classmethod
    def heat(cls, i: int, of: str) -> Slot:
        """The heatmap of node ``i``'s value (``of="value"``) or gradient (``of="grad"``)."""
        return cls("heat", i, of=of)

    @property
    def is_text(self) -> bool:
        """Whether the slot is a text (a frame fills in its text; else a class: a heatmap's)."""
        return self.kind in ("value", "grad", "sum")

    def heatmap(self) -> Slot:
        """The heatmap under this value or gradient text."""
        if self.kind not in _HEAT_OF or self.copy is not None or self.use is not None:
            raise ValueError(f"{str(self)!r} has no heatmap: only a node's value and gradient have one")
        return Slot.heat(self.node, self.kind)

    def cell_at(self, k: int) -> Slot:
        """Cell ``k`` (row by row) of this heatmap."""
        if self.kind != "heat":
            raise ValueError(f"{str(self)!r} is not a heatmap")
        return Slot("cell", self.node, of=self.of, cell=k)
