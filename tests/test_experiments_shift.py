"""The shift-consistency experiment: the metric (an invariant model scores 100 %, a position-dependent one less),
the theory (circular shifts by multiples of the subsampling factor pass exactly through the spectral-pooling net)
and a tiny run end to end on the real Fashion-MNIST files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from spectralcore_experiments import cli, shift  # noqa: E402

FASHION_DIR = Path(os.environ.get("SPECTRALCORE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))


class SumModel(torch.nn.Module):
    """Logits from the image's per-channel sums: exactly invariant to circular shifts."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(1, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.sum(dim=(-2, -1)))


class CornerModel(torch.nn.Module):
    """Logits read from the top row: the prediction moves with the image."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, 0, 0, :10]


def test_circular_shift_is_torch_roll_per_image() -> None:
    x = torch.randn(5, 2, 6, 7)
    offsets = torch.tensor([[0, 0], [1, 2], [5, 6], [3, 0], [0, 4]])
    shifted = shift.circular_shift(x, offsets)
    for i in range(5):
        assert torch.equal(shifted[i], torch.roll(x[i], tuple(offsets[i].tolist()), dims=(-2, -1)))


def test_crop_shift_at_the_centre_is_the_image() -> None:
    x = torch.randn(3, 1, 8, 8)
    centre = torch.full((3, 2), 2)
    assert torch.equal(shift.crop_shift(x, centre, 2, -1.0), x)
    corner = shift.crop_shift(x, torch.zeros(3, 2, dtype=torch.long), 2, -1.0)
    assert torch.equal(corner[:, :, 2:, 2:], x[:, :, :6, :6])
    assert bool((corner[:, :, :2, :] == -1.0).all())


def test_invariant_model_is_fully_consistent_and_a_positional_one_is_not() -> None:
    images = torch.randn(200, 1, 12, 12)
    assert shift.consistency(SumModel(), images, shift.circular_shift, 12, seed=0) == 1.0
    assert shift.consistency(CornerModel(), images, shift.circular_shift, 12, seed=0) < 0.5
    # Offsets drawn from multiples of 12 are all zero: then any model agrees with itself.
    assert shift.consistency(CornerModel(), images, shift.circular_shift, 12, seed=0, step=12) == 1.0


def test_spectral_net_commutes_with_shifts_by_multiples_of_four() -> None:
    torch.manual_seed(0)
    net = shift.build_net("spectral", 1, 10, 28, 8).double().eval()
    x = torch.randn(4, 1, 28, 28, dtype=torch.float64)
    with torch.no_grad():
        logits = net(x)
        exact = net(torch.roll(x, (8, 12), dims=(-2, -1)))
        sub_pixel = net(torch.roll(x, (1, 3), dims=(-2, -1)))
    torch.testing.assert_close(exact, logits, rtol=1e-9, atol=1e-9)
    assert not torch.allclose(sub_pixel, logits, atol=1e-6)  # other shifts only approximately


def test_tiny_run_end_to_end(tmp_path: Path) -> None:
    if not (FASHION_DIR / "t10k-labels-idx1-ubyte.gz").exists():
        if "fashion-mnist" in os.environ.get("SPECTRALCORE_REQUIRE_DATA", ""):
            pytest.fail(f"Fashion-MNIST is required (SPECTRALCORE_REQUIRE_DATA) but missing in {FASHION_DIR}")
        pytest.skip(f"Fashion-MNIST not installed in {FASHION_DIR}")
    argv = ["shift", "--scale", "tiny", "--shift-train-size", "128", "--shift-test-size", "64", "--shift-epochs", "1"]
    argv += ["--shift-pools", "spectral", "cosine", "max", "avg", "blur", "--no-progress", "--out", str(tmp_path)]
    assert cli.main(argv) == 0
    result = json.loads((tmp_path / "shift" / "shift.json").read_text())
    assert [row["pool"] for row in result["summary"]] == list(shift.POOLS)
    for row in result["summary"]:
        for key in ("accuracy", "circular", "circular_exact", "crop"):
            assert 0.0 <= row[key]["mean"] <= 1.0
    spectral = next(row for row in result["summary"] if row["pool"] == "spectral")
    assert spectral["circular_exact"]["mean"] == 1.0  # the exact commutation, on trained weights
    report = (tmp_path / "report.md").read_text()
    assert "## Shift consistency" in report
    assert "Which shifts commute with spectral pooling" in report
