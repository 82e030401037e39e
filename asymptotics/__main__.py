"""``python -m asymptotics``: the command-line interface (see :mod:`asymptotics.cli`)."""

from .cli import main

raise SystemExit(main())
