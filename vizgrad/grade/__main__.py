"""``python -m vizgrad.grade``: see :mod:`vizgrad.grade.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
