"""vizgrad in the browser: a JupyterLite site of the lecture and the exercises.

``python -m vizgrad.lite build OUT/`` writes a static site (see :mod:`vizgrad.lite.site`);
:mod:`vizgrad.graphviz.js` is the Graphviz engine vizgrad uses inside it.
This package imports nothing heavy: it is part of the wheel the browser installs.
"""
