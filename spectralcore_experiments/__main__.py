"""``python -m spectralcore_experiments``: see :func:`spectralcore_experiments.cli.main`."""

import sys

# What the [experiments] extra installs and the command line imports up front.
_EXTRA_MODULES = {"numpy", "torch"}

try:
    from spectralcore_experiments.cli import main
except ModuleNotFoundError as exc:
    if (exc.name or "").split(".")[0] not in _EXTRA_MODULES:
        raise
    print(
        f"python -m spectralcore_experiments: error: {exc.name} is not installed; the reproduction needs the "
        "[experiments] extra: pip install 'spectralcore[experiments]'",
        file=sys.stderr,
    )
    raise SystemExit(2) from None

raise SystemExit(main())
