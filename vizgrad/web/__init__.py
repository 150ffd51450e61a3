"""The web medium: frames as a self-contained HTML player, and what a notebook shows.

``player`` writes the player (page, fragment, view) around ``static/`` (its ES module and
style, loaded by ``assets``); ``quiz`` asks for gradients before showing them; ``live_data``
lets a saved page recompute a graph at new inputs without a kernel; ``display`` is what a
notebook output carries (zoomable pictures, one-line errors); ``nbconvert`` shows scrubbers
as players in exported notebooks.
"""
