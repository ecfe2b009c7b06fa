"""``python -m spectralcore_experiments``: see :func:`spectralcore_experiments.cli.main`."""

from spectralcore_experiments.cli import main

raise SystemExit(main())
