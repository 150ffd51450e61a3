"""From a trace to pictures: a scene, laid out once, then every step as a frame.

The data flow: ``scene`` (what is drawn, and what each step changes; ``texts`` writes
numbers and names, ``heatmap`` pictures arrays, ``captions`` says each step in words) →
``layout`` (the scene as DOT, laid out by one Graphviz call; ``wrap`` folds long graphs,
``room`` sizes live numbers) → ``svg`` (one SVG with holes; ``shapes``, ``palette``) →
``frames`` (the model every medium plays: the template and each step's changes).
``options`` holds the drawing options, ``request`` turns what a user passes into frames.
"""
