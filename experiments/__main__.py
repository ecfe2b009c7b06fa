"""``python -m experiments``: see :func:`experiments.cli.main`."""

from experiments.cli import main

raise SystemExit(main())
