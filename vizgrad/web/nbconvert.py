"""nbconvert: each vizgrad scrubber shown as its self-contained player (``vizgrad.scrub.StaticPlayers``)."""

from __future__ import annotations

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_players_class() -> type:
    """The preprocessor class (made on first use: nbconvert is slow to import)."""
    from nbconvert.preprocessors import Preprocessor

    class StaticPlayers(Preprocessor):
        """nbconvert: show each vizgrad scrubber as its self-contained player.

        nbconvert prefers a widget's view to its ``text/html`` whenever the notebook
        holds widget state (always after ``--execute``, which stores it), and that view
        needs the widget libraries from a CDN. This drops the view from scrubber outputs
        that carry a player, so the exported page shows the player (offline, no kernel)::

            jupyter nbconvert --to html --execute \\
                --Exporter.preprocessors=vizgrad.scrub.StaticPlayers notebook.ipynb
        """

        def preprocess_cell(self, cell, resources, index):
            for out in cell.get("outputs", []):
                meta = out.get("metadata") or {}
                data = out.get("data") or {}
                if (meta.get("vizgrad") or {}).get("player") and "text/html" in data:
                    data.pop(WIDGET_VIEW, None)
            return cell, resources

    StaticPlayers.__module__ = "vizgrad.scrub"  # where nbconvert is told to find it
    StaticPlayers.__qualname__ = "StaticPlayers"
    return StaticPlayers
