"""The learned-strides experiment: its nets (sizes, exact layers), its verdict rules, its option checks and a
tiny run end to end on the real Fashion-MNIST files."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from spectralcore_experiments import cli, strides, strides_report  # noqa: E402
from spectralcore_experiments.options import OptionError  # noqa: E402

FASHION_DIR = Path(os.environ.get("SPECTRALCORE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))


@pytest.mark.parametrize(
    ("pool", "stride", "sides"),
    [
        ("max", 2.0, [14, 7]),
        ("max", 3.0, [10, 4]),
        ("fixed", 2.0, [14, 7]),
        ("fixed", 3.0, [10, 4]),
        ("learnable", 2.0, [16, 10]),  # ceil(n / S) + 2 with the default ramp 3
        ("learnable", 3.0, [12, 6]),
    ],
)
def test_nets_pool_to_the_documented_sizes(pool: str, stride: float, sides: list[int]) -> None:
    net = strides.build_net(pool, stride, 1, 10, 28, 4)
    assert strides.activations(net, 1, 28) == {"sides": sides, "activations": 4 * sides[0] ** 2 + 8 * sides[1] ** 2}
    assert net(torch.randn(2, 1, 28, 28)).shape == (2, 10)


def _diff(mean: float, significant: bool | None) -> dict[str, Any]:
    return {"n": 3, "mean": mean, "significant": significant, "low": None, "high": None, "p": None, "sd": 0.0}


def _result(same: dict[str, Any], recover: dict[str, Any]) -> dict[str, Any]:
    return {
        "comparisons": [
            {"a": "learnable-poor", "b": "learnable-good", "what": "", "difference": same},
            {"a": "learnable-poor", "b": "fixed-poor", "what": "", "difference": recover},
        ]
    }


def test_verdict_rules() -> None:
    assert "reproduced" in strides_report.verdict(_result(_diff(0.002, False), _diff(-0.03, True)))
    assert "partly" in strides_report.verdict(_result(_diff(0.002, False), _diff(-0.01, False)))
    assert "partly" in strides_report.verdict(_result(_diff(0.02, True), _diff(-0.03, True)))
    assert "**not**" in strides_report.verdict(_result(_diff(0.02, True), _diff(0.01, False)))
    assert "not tested" in strides_report.verdict(_result(_diff(0.0, None), _diff(0.0, None)))
    assert "not tested" in strides_report.verdict({"comparisons": []})


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("strides_epochs", 0),
        ("strides_seeds", 0),
        ("strides_train_size", -1),
        ("strides_width", 0),
        ("strides_cost_weight", -0.5),
        ("strides_cost_weight", float("nan")),
        ("strides_lr_scale", 0.0),
    ],
)
def test_bad_options_name_themselves(flag: str, value: float) -> None:
    args = cli.build_parser().parse_args(["strides", "--scale", "tiny"])
    setattr(args, flag, value)
    with pytest.raises(OptionError, match="--" + flag.replace("_", "-")):
        strides.settings(argparse.Namespace(**vars(args)))


def test_tiny_run_end_to_end(tmp_path: Path) -> None:
    if not (FASHION_DIR / "t10k-labels-idx1-ubyte.gz").exists():
        if "fashion-mnist" in os.environ.get("SPECTRALCORE_REQUIRE_DATA", ""):
            pytest.fail(f"Fashion-MNIST is required (SPECTRALCORE_REQUIRE_DATA) but missing in {FASHION_DIR}")
        pytest.skip(f"Fashion-MNIST not installed in {FASHION_DIR}")
    argv = ["strides", "--scale", "tiny", "--strides-train-size", "256", "--strides-test-size", "64"]
    argv += ["--strides-epochs", "1", "--strides-seeds", "2", "--no-progress", "--out", str(tmp_path)]
    assert cli.main(argv) == 0
    result = json.loads((tmp_path / "strides" / "strides.json").read_text())
    names = [row["config"] for row in result["summary"]]
    assert names == [name for name, _, _ in strides.configurations(list(strides.POOLS))]
    for run in result["runs"]:
        if run["pool"] == "learnable":  # the strides moved from their start, and the sizes followed them
            assert all(abs(s - run["start_stride"]) > 1e-4 for layer in run["strides"] for s in layer)
        else:
            assert run["start"] == run["end"]
            assert run["strides"] == []
    assert {(c["a"], c["b"]) for c in result["comparisons"]} == {(a, b) for a, b, _ in strides.COMPARISONS}
    report = (tmp_path / "report.md").read_text()
    assert "## Learned strides" in report
    assert "Verdict on DiffStride's claim at this scale" in report
