"""Reproduction of the three results of Rippel, Snoek & Adams (NeurIPS 2015) with spectralcore.

Install it with ``pip install 'spectralcore[experiments]'`` and run ``python -m spectralcore_experiments --help``.

The experiments (each a measurement module and a report module, listed in :mod:`.registry`):

* :mod:`.information` / :mod:`.information_report`: experiment 1, information preservation (paper Fig. 2 and 4a),
  measured by :mod:`.reconstruction`;
* :mod:`.convergence` / :mod:`.convergence_report`: experiment 2, convergence speed of the spectral
  parameterization (paper Fig. 5);
* :mod:`.classification` / :mod:`.classification_report`: experiment 3, classification with spectral pooling and
  frequency dropout (paper §5.1).

What they share:

* :mod:`.datasets`: offline datasets (bundled photos, Fashion-MNIST IDX files, local CIFAR-10/100 copies);
* :mod:`.splits`: a dataset made ready for training (subsets, normalisation, tensors on the device);
* :mod:`.training`: the training loop (progress bar, seeds, metrics); :mod:`.checkpoints`: its files and
  ``--resume``;
* :mod:`.cli` (the command line), :mod:`.options` (its checks), :mod:`.report` (``report.md``, ``summary.json``);
* :mod:`.atomic` (files written atomically), :mod:`.plotting`, :mod:`.formatting`, :mod:`.statistics`.
"""
