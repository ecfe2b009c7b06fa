"""The --scale presets: every experiment has every scale, the sizes grow from tiny to standard, the standard and
quick scales meet the settings the reproduction promises, and --help shows exactly the presets."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from spectralcore_experiments import classification, cli, convergence, information


def size(n: int) -> float:
    return float("inf") if n == 0 else float(n)  # 0 means the whole set


def test_every_experiment_has_every_scale() -> None:
    for presets in (information.SCALES, convergence.SCALES, convergence.SEEDS, classification.SCALES):
        assert tuple(presets) == cli.SCALES
    assert tuple(cli.DURATIONS) == cli.SCALES


def test_standard_scale_meets_its_promise() -> None:
    conv, cls = convergence.SCALES["standard"], classification.SCALES["standard"]
    assert size(conv["train"]) >= 10_000
    assert conv["epochs"] >= 12
    assert convergence.SEEDS["standard"] == 3
    assert cls["train"] == 0  # the whole Fashion-MNIST training set
    assert cls["test"] == 0
    assert cls["seeds"] == 3
    assert cls["configs"] == ["spectral+fd", "max"]  # the two configurations the claim is about


def test_quick_classification_has_three_seeds_and_every_comparison() -> None:
    cls = classification.SCALES["quick"]
    assert cls["seeds"] >= 3
    assert "configs" not in cls  # all four: both comparisons of the verdict table are tested


@pytest.mark.parametrize("key", ["train", "epochs"])
def test_sizes_grow_from_tiny_to_standard(key: str) -> None:
    for presets in (convergence.SCALES, classification.SCALES):
        values = [size(presets[scale][key]) if key == "train" else presets[scale][key] for scale in cli.SCALES[:3]]
        assert values == sorted(values), (key, values)
    infos = [size(information.SCALES[scale]["images"]) for scale in cli.SCALES]
    assert infos == sorted(infos)


@pytest.mark.parametrize("scale", cli.SCALES)
def test_every_preset_passes_the_option_checks(scale: str) -> None:
    args = cli.build_parser().parse_args(["all", "--scale", scale])
    assert cli.check(args) == ["info", "convergence", "classify", "strides"]
    cfg = classification.settings(args)
    assert cfg["configs"] == classification.SCALES[scale].get("configs", list(classification.CONFIGS))
    assert cfg["seeds"] == classification.SCALES[scale]["seeds"]
    assert convergence.settings(args)["seeds"] == convergence.SEEDS[scale]


def test_cls_configs_overrides_the_preset() -> None:
    args = cli.build_parser().parse_args(["classify", "--scale", "standard", "--cls-configs", "spectral", "max"])
    assert classification.settings(args)["configs"] == ["spectral", "max"]


def test_help_shows_every_preset() -> None:
    text = cli.build_parser().format_help()
    for scale in cli.SCALES:
        assert f"  {scale:<9} {cli.DURATIONS[scale]}" in text
        cls = classification.SCALES[scale]
        assert f"{cls['epochs']} epochs, width {cls['width']:g}, M={cls['stages']}, {cls['seeds']} seed(s)" in text
    assert "--scale standard" in text
    assert "classify: all train / all test images, 8 epochs" in text
