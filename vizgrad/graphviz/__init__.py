"""Running Graphviz: one layout call, three engines, one set of errors.

``engines`` chooses and runs an engine — ``wasm`` (Graphviz compiled to WebAssembly, bundled
with pip: the default), ``native`` (the system's ``dot``), ``js`` (Graphviz for JavaScript,
in the browser under Pyodide) — with a time limit and Ctrl-C; ``errors`` says what went wrong.
Nothing here knows about vizgrad's graphs: it takes DOT text and returns Graphviz's output.
"""
