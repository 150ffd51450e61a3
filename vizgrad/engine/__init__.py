"""The autograd engines: numbers and arrays in a computational graph, and the trace of a pass.

``ops`` is the op table (one row per op: its forward, its local gradient), ``op_math`` the
numbers those rows compute; ``value`` (scalars) and ``tensor`` (numpy arrays, with
``local_gradient`` for Jacobians as vector products) build graphs from it; ``graph`` holds
what both share (topological order, the backward pass); ``trace`` records a whole forward
and backward pass as steps — the one thing every floor above reads. ``group`` sees several
ops as one gate, ``losses`` and ``check`` (gradients against numerical derivatives, with
``floats`` standing in for numpy where it is missing) complete the floor; ``tensor_input``
checks what a user hands the tensor engine.

A graph from another engine plugs in at :func:`vizgrad.engine.trace.traced`: once it is a
:class:`~vizgrad.engine.trace.Trace`, everything above draws it. ``torch_trace`` (PyTorch) and
``micrograd_trace`` record what those engines do, ``recorded`` mirrors it, and
``torch_forward`` keeps a PyTorch forward pass's values on request.
"""
