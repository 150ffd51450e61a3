"""``python -m vizgrad``: the same as the ``vizgrad`` command (:mod:`vizgrad.commands`)."""

import sys

from .commands import main

sys.exit(main())
