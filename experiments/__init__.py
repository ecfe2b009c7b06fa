"""Reproduction of the three results of Rippel, Snoek & Adams (NeurIPS 2015) with spectralcore.

Run ``python -m experiments --help``. Sub-modules:

* :mod:`experiments.data`: offline datasets (bundled photos, Fashion-MNIST IDX files, local CIFAR-10/100 copies);
* :mod:`experiments.info`: experiment 1, information preservation (paper Fig. 2 and 4a);
* :mod:`experiments.convergence`: experiment 2, convergence speed of the spectral parameterization (paper Fig. 5);
* :mod:`experiments.classify`: experiment 3, classification with spectral pooling and frequency dropout (§5.1);
* :mod:`experiments.harness`: the training loop (progress bar, seeds, atomic checkpoints, ``--resume``, metrics).
"""
