"""Experiment 1 (information preservation) on the real bundled photos and the installed Fashion-MNIST files.

The oracles are independent of ``spectralcore``: ``scipy.signal.resample`` for spectral pooling + upsampling, and
``skimage.measure.block_reduce`` + ``np.kron`` for window pooling + nearest-neighbour upsampling.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import signal

from spectralcore_experiments import datasets as data
from spectralcore_experiments import information as info
from spectralcore_experiments import information_report, reconstruction
from spectralcore_experiments.options import OptionError
from spectralcore_experiments.registry import EXPERIMENTS

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TOL = 1e-12
TOP_KEYS = {
    "experiment",
    "settings",
    "choices",
    "nyquist_pairing",
    "datasets",
    "grid",
    "figures",
    "out_dir",
    "timings_s",
    "elapsed_s",
}
DATASET_KEYS = {
    "title",
    "source",
    "n",
    "channels",
    "count",
    "skipped_zero_norm",
    "spectral",
    "window",
    "comparison",
    "match_max_2x2",
    "checks",
}
STAT_KEYS = {"mean", "median", "p10", "p25", "p75", "p90"}


def require_fashion() -> None:
    """Skip without the Fashion-MNIST files, unless SPECTRALCORE_REQUIRE_DATA names them: then fail."""
    if FASHION_DIR.is_dir():
        return
    if "fashion-mnist" in os.environ.get("SPECTRALCORE_REQUIRE_DATA", ""):
        pytest.fail(f"SPECTRALCORE_REQUIRE_DATA names fashion-mnist but {FASHION_DIR} does not exist")
    pytest.skip(f"Fashion-MNIST is not installed at {FASHION_DIR}")


def make_args(**overrides: Any) -> argparse.Namespace:
    """The namespace ``... info --scale tiny`` would give, with the Fashion-MNIST folder explicit."""
    values: dict[str, Any] = {
        "scale": "tiny",
        "seed": 0,
        "fashion_mnist_dir": FASHION_DIR,
        "cifar_dir": None,
        "cifar_label": "fine",
        "no_verify": False,
        "info_crops": None,
        "info_sizes": None,
        "info_images": None,
        "info_batch": 128,
    }
    values.update(overrides)
    return argparse.Namespace(**values)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """One tiny run (photo crops 32 and 64, Fashion-MNIST): its result and its report folder."""
    require_fashion()
    report_dir = tmp_path_factory.mktemp("report")
    return EXPERIMENTS["info"].run_and_save(make_args(), report_dir), report_dir


@pytest.fixture(scope="module")
def crops() -> np.ndarray:
    """16 real random 32x32 photo crops, (N, 3, 32, 32) float64 in [0, 1]."""
    images = data.random_crops(data.load_photos(), 32, 16, rng=np.random.default_rng(7))
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2))


def resample_oracle(x: np.ndarray, m: int) -> np.ndarray:
    """``scipy.signal.resample`` on both of the last two axes down to ``m``, then back up."""
    n = x.shape[-1]
    for size in (m, n):
        x = signal.resample(signal.resample(x, size, axis=-2), size, axis=-1)
    return x


# ---------------------------------------------------------------------------------------------------------------
# The measurements, against independent oracles
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", [1, 3, 7, 15, 31])
@pytest.mark.parametrize("rule", reconstruction.RULES)
def test_spectral_reconstruction_matches_scipy_resample_at_odd_sizes(crops: np.ndarray, m: int, rule: str) -> None:
    # Odd sizes have no Nyquist bin: both rules must be the plain band-limited resampling.
    np.testing.assert_allclose(
        reconstruction.spectral_reconstruct(crops, m, nyquist=rule), resample_oracle(crops, m), atol=1e-10
    )


@pytest.mark.parametrize("m", [2, 8, 16, 30])
def test_sum_rule_matches_scipy_resample_at_even_sizes(crops: np.ndarray, m: int) -> None:
    np.testing.assert_allclose(
        reconstruction.spectral_reconstruct(crops, m, nyquist="sum"), resample_oracle(crops, m), atol=1e-10
    )
    # The paper's rule keeps half of the Nyquist cosine, so it must differ from the projection at even sizes.
    assert (
        np.max(np.abs(reconstruction.spectral_reconstruct(crops, m, nyquist="average") - resample_oracle(crops, m)))
        > 1e-6
    )


@pytest.mark.parametrize("kind", reconstruction.WINDOWS)
@pytest.mark.parametrize("stride", [2, 4, 8])
def test_window_reconstruction_matches_block_reduce(crops: np.ndarray, kind: str, stride: int) -> None:
    from skimage.measure import block_reduce

    image = crops[3]  # (3, 32, 32)
    pooled = block_reduce(image, (1, stride, stride), np.max if kind == "max" else np.mean)
    expected = np.kron(pooled, np.ones((1, stride, stride)))
    np.testing.assert_allclose(reconstruction.window_reconstruct(image, stride, kind), expected, rtol=0, atol=1e-15)
    loss = reconstruction.window_losses(crops[3:4], [stride])[kind][0, 0]
    assert loss == pytest.approx(np.linalg.norm(image - expected) / np.linalg.norm(image), rel=1e-12)


def test_window_reconstruction_rejects_strides_that_do_not_tile(crops: np.ndarray) -> None:
    with pytest.raises(ValueError, match="divisible by the stride"):
        reconstruction.window_reconstruct(crops, 3, "max")
    assert reconstruction.window_strides(28) == [2, 4, 7, 14, 28]
    assert reconstruction.window_strides(32) == [2, 4, 8, 16, 32]


def test_sum_rule_is_a_projection_onto_nested_subspaces(crops: np.ndarray) -> None:
    losses = reconstruction.spectral_losses(crops, batch=5)  # a batch that does not divide N
    total, paper = losses["sum"], losses["average"]
    assert total.shape == paper.shape == (16, 32)
    # Pooling to the full size is the identity: no loss.
    assert np.all(total[:, -1] == 0)
    assert np.all(paper[:, -1] == 0)
    # The sum rule is the orthogonal projection onto the band-limited images: never worse than the paper's rule ...
    assert np.all(total <= paper + TOL)
    # ... equal to it at odd sizes (no Nyquist bin), and strictly better at even m < n for (almost) every image: the
    # paper's rule keeps only half of each Nyquist cosine, which real crops almost never lack.
    odd = np.arange(1, 33) % 2 == 1
    np.testing.assert_allclose(total[:, odd], paper[:, odd], rtol=0, atol=TOL)
    assert np.mean(paper[:, ~odd][:, :-1] > total[:, ~odd][:, :-1] + TOL) > 0.9
    # The band-limited subspaces are nested, so the projection loss cannot grow with m, for every image.
    assert np.all(np.diff(total, axis=1) <= TOL)


def test_relative_loss_does_not_depend_on_the_norm(crops: np.ndarray) -> None:
    amplitude = reconstruction.spectral_losses(crops[:4])
    ortho = reconstruction.spectral_losses(crops[:4], norm="ortho")
    for rule in reconstruction.RULES:
        np.testing.assert_allclose(ortho[rule], amplitude[rule], rtol=0, atol=1e-12)


def test_the_paper_rule_pairs_with_zero_padding() -> None:
    # spectral_upsample is the adjoint of the average-rule pooling (ortho) and the real part of literal zero-padding;
    # with the sum rule, upsample after pool is an orthogonal projection and pool after upsample the identity.
    for n in (7, 8, 28):
        worst = reconstruction.nyquist_pairing_check(n)
        assert set(worst) >= {"upsample_minus_avg_pool_transpose", "upsample_minus_literal_zero_pad"}
        assert max(worst.values()) < 1e-12, worst


def test_zero_images_are_skipped_and_counted() -> None:
    require_fashion()
    images, _ = data.load_fashion_mnist(FASHION_DIR, subset="test")
    batch = np.concatenate([images[:5], np.zeros((2, 28, 28), np.uint8)])[:, None] / 255.0
    result = reconstruction.measure(batch)
    assert (result["count"], result["skipped_zero_norm"], result["channels"], result["n"]) == (5, 2, 1, 28)
    assert all(np.isfinite(result["spectral"]["sum"]["mean"]))
    with pytest.raises(ValueError, match="norm 0"):
        reconstruction.measure(np.zeros((2, 1, 8, 8)))


def test_nearest_side() -> None:
    assert reconstruction.nearest_side(32, 1 / 4) == 16
    assert reconstruction.nearest_side(28, 1 / 16) == 7
    assert reconstruction.nearest_side(28, 1 / 64) == 4  # 3.5 per side: 4x4 is nearer than 3x3 in log scale
    assert reconstruction.nearest_side(4, 1 / 1024) == 1


# ---------------------------------------------------------------------------------------------------------------
# A whole run: files, facts, report
# ---------------------------------------------------------------------------------------------------------------
def test_run_writes_json_and_figures(report: tuple[dict[str, Any], Path]) -> None:
    result, report_dir = report
    out = report_dir / "info"
    saved = json.loads((out / "info.json").read_text())
    assert saved == json.loads(json.dumps(result))  # the returned dict is what was written
    assert set(saved) >= TOP_KEYS
    assert saved["experiment"] == "info"
    assert list(saved["datasets"]) == ["photos32", "photos64", "fashion-mnist"]
    assert saved["settings"]["seed"] == 0
    assert saved["settings"]["crops"] == 16
    assert saved["settings"]["images"] == 16
    for name in ("info_curves.png", "info_grid.png"):
        assert (out / name).read_bytes().startswith(PNG_MAGIC)
    assert saved["figures"] == {"curves": "info_curves.png", "grid": "info_grid.png"}
    for key, entry in saved["datasets"].items():
        assert set(entry) >= DATASET_KEYS, key
        n = entry["n"]
        for rule in reconstruction.RULES:
            curve = entry["spectral"][rule]
            assert set(curve) >= STAT_KEYS | {"m", "fraction"}
            assert curve["m"] == list(range(1, n + 1))
            assert curve["fraction"][-1] == 1.0
            assert all(len(curve[k]) == n for k in STAT_KEYS)
        for kind in reconstruction.WINDOWS:
            pts = entry["window"][kind]
            assert pts["stride"] == reconstruction.window_strides(n)
            assert pts["fraction"] == [1 / s**2 for s in pts["stride"]]
    assert saved["grid"]["photo"] == "astronaut"
    assert all(s < m for s, m in zip(saved["grid"]["spectral_sum_loss"], saved["grid"]["max_loss"], strict=True))


@pytest.mark.parametrize("key", ["photos32", "photos64"])
def test_spectral_pooling_beats_max_pooling_on_photo_crops(report: tuple[dict[str, Any], Path], key: str) -> None:
    entry = report[0]["datasets"][key]
    rows = {row["stride"]: row for row in entry["comparison"]}
    for stride in (2, 4):  # fractions 1/4 and 1/16
        row = rows[stride]
        assert row["fraction"] == 1 / stride**2
        assert row["m"] == entry["n"] // stride
        for rule in reconstruction.RULES:
            assert row["median"][rule] < row["median"]["max"]
            assert row[f"{rule}_vs_max"]["fraction_of_images_below"] > 0.5
            assert row[f"{rule}_vs_max"]["median_of_ratios"] < 1
    # The paper's headline: spectral pooling matches max pooling's 2x2 loss with far fewer parameters.
    assert entry["match_max_2x2"]["fraction"] < 0.25
    # Not asserted: average pooling + nearest is itself a projection and may beat max (or spectral) pooling.


def test_recorded_checks_hold_for_every_image(report: tuple[dict[str, Any], Path]) -> None:
    result = report[0]
    for key, entry in result["datasets"].items():
        checks = entry["checks"]
        assert checks["sum_minus_average_max"] <= TOL, key
        assert checks["sum_max_increase_in_m"] <= TOL, key
        assert checks["loss_at_full_size_max"] == 0, key
        assert checks["norm_invariance_max_abs_diff"] <= 1e-10, key
        assert checks["all_hold"], key
        assert entry["spectral"]["sum"]["median"][-1] == 0
    for n, worst in result["nyquist_pairing"].items():
        assert max(worst.values()) < 1e-12, n


def test_fashion_mnist_is_read_from_the_real_files(report: tuple[dict[str, Any], Path]) -> None:
    entry = report[0]["datasets"]["fashion-mnist"]
    assert (entry["n"], entry["channels"]) == (28, 1)
    assert entry["count"] + entry["skipped_zero_norm"] == 16
    assert entry["source"]["available"] == 10_000
    assert entry["source"]["used"] == 16
    two = next(row for row in entry["comparison"] if row["stride"] == 2)
    assert two["median"]["sum"] < two["median"]["max"]


def test_missing_fashion_mnist_raises(tmp_path: Path) -> None:
    args = make_args(fashion_mnist_dir=tmp_path / "no-such-folder", info_sizes=[8], info_crops=2)
    with pytest.raises(data.DatasetError, match="Fashion-MNIST"):
        EXPERIMENTS["info"].run_and_save(args, tmp_path)
    assert not (tmp_path / "info" / "info.json").exists()


def test_markdown_section(report: tuple[dict[str, Any], Path]) -> None:
    result, report_dir = report
    text = information_report.markdown(result, report_dir)
    assert text.startswith("## Experiment 1: information preservation")
    assert "](info/info_curves.png)" in text
    assert "](info/info_grid.png)" in text
    assert re.search(r"^\| 1/4 \| 16×16 \(0\.25\) \| [0-9.e-]+ \| [0-9.e-]+ \| [0-9.e-]+ \| [0-9.e-]+ \|$", text, re.M)
    assert re.search(r"^\| 1/64 \| 4×4 \(0\.02041\) \| [0-9.e-]+ \| [0-9.e-]+ \| – \| – \|$", text, re.M)  # 28x28
    assert "What the paper reported" in text
    assert "Choices the paper leaves open" in text


def test_same_seed_same_statistics(report: tuple[dict[str, Any], Path], tmp_path: Path) -> None:
    first = report[0]
    again = info.run(make_args(), tmp_path / "info")
    for key in ("datasets", "grid", "nyquist_pairing", "settings"):
        assert json.dumps(again[key]) == json.dumps(first[key]), key
    other = info.run(make_args(seed=1, info_sizes=[32]), tmp_path / "other")
    assert other["datasets"]["photos32"]["spectral"] != first["datasets"]["photos32"]["spectral"]


def test_options_and_their_errors() -> None:
    parser = argparse.ArgumentParser()
    info.add_arguments(parser.add_argument_group("info options"))
    parsed = parser.parse_args(["--info-crops", "5", "--info-sizes", "16", "24", "--info-images", "0"])
    cfg = info.settings(make_args(info_crops=parsed.info_crops, info_sizes=parsed.info_sizes, info_images=0))
    assert (cfg["crops"], cfg["crop_sizes"], cfg["images"]) == (5, [16, 24], 0)
    assert info.settings(make_args(scale="quick"))["crops"] == 512
    bad_options = (
        {"info_crops": 0},
        {"info_crops": 10**9},
        {"info_sizes": [1]},
        {"info_sizes": [301]},  # larger than the smallest bundled photo
        {"info_images": -1},
        {"info_batch": -2},
    )
    for bad in bad_options:
        with pytest.raises(OptionError, match="--info-"):
            info.settings(make_args(**bad))
    # Bounded before anything is allocated: 100 000 crops of 256x256x3 float64 would take 146 GiB.
    with pytest.raises(OptionError, match=r"--info-crops 100000 with --info-sizes 256: .*146\.5 GiB"):
        info.settings(make_args(info_crops=100_000, info_sizes=[256]))


def test_cifar_is_added_with_cifar_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No CIFAR copy is installed here: stand in for the loader (CIFAR-shaped uint8 crops of the real photos) to
    # check the plumbing: the options passed through, the dataset measured, a fourth panel, the report table.
    require_fashion()
    calls: list[tuple[Any, dict[str, Any]]] = []
    pixels = data.random_crops(data.load_photos(), 32, 12, rng=np.random.default_rng(3))
    fake = (np.round(pixels * 255).astype(np.uint8), np.arange(12, dtype=np.int64) * 8)  # labels up to 88: 100 classes

    def load_cifar(path: Any, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        calls.append((path, kwargs))
        return fake

    monkeypatch.setattr(data, "load_cifar", load_cifar)
    args = make_args(cifar_dir=tmp_path / "cifar-100-python.tar.gz", cifar_label="coarse", no_verify=True)
    args.info_sizes, args.info_crops, args.info_images = [8], 4, 10
    result = info.run(args, tmp_path / "info")
    assert calls == [(tmp_path / "cifar-100-python.tar.gz", {"subset": "test", "label": "coarse", "verify": False})]
    entry = result["datasets"]["cifar"]
    assert entry["title"] == "CIFAR-100 test images"
    assert (entry["n"], entry["channels"], entry["count"], entry["source"]["used"]) == (32, 3, 10, 10)
    assert entry["checks"]["all_hold"]
    assert "**CIFAR-100 test images**" in information_report.markdown(result, tmp_path)
