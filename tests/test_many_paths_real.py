"""Many Paths Section 5 on Color MNIST (notebook 13): the claims' rules on constructed grids, the paper's picture
and its negative controls, and the parameters."""

import numpy as np
import pytest
import torch

from gpkit.experiments import many_paths_real as mpr

#: A 2 x 2 x 2 grid (the quick profile's is 2 x 2 x 1: the rules need the same on any grid).
KEYS = [mpr.setting_key(*s) for s in mpr.grid({"lrs_d": [1e-4, 3e-4], "lrs_g": [1e-4, 3e-4], "latents": [10, 75]})]


def _rows(neg_w, coverage=None, gap=None, confidence=0.95):
    """Rows for every objective x setting: ``neg_w[objective]`` a list over :data:`KEYS`; coverage and diversity gap
    default to values that rise with -W (collapse shows in both metrics); the classifier confident throughout."""
    rows = []
    for o, vals in neg_w.items():
        for i, (k, w) in enumerate(zip(KEYS, vals)):
            cov = (coverage or {}).get(o, [None] * len(KEYS))[i]
            cov = min(1.0, max(0.0, 1.0 + w / 4)) if cov is None else cov
            g = (gap or {}).get(o, [None] * len(KEYS))[i]
            rows.append({"objective": o, "setting": k, "neg_w": w, "coverage": cov,
                         "diversity_gap": -0.3 * (1 - cov) if g is None else g, "confidence": confidence})
    return rows


# The paper's picture (Section 5.4, Color MNIST): NS-GAN collapses at some settings (-W far below 0, few classes);
# both penalised NS-GANs are better across the grid and at their best; WGAN-GP has the best -W.
PAPER = {"ns_gan": [-3.5, -0.9, -3.0, -0.8, -2.8, -1.0, -0.7, -3.2],
         "gan_gp": [-0.9, -0.7, -1.0, -0.6, -1.2, -0.8, -0.5, -0.9],
         "dragan_ns": [-1.0, -0.8, -0.9, -0.6, -1.1, -0.7, -0.6, -1.0],
         "wgan_gp": [-0.5, -0.4, -0.6, -0.3, -0.5, -0.4, -0.3, -0.6]}


def _claims(rows):
    return {c.id: c for c in mpr.claims(rows, n_grid=len(KEYS))}


def test_the_papers_picture_reproduces_every_claim():
    c = _claims(_rows(PAPER))
    assert {k: v.verdict for k, v in c.items()} == {k: "reproduced" for k in c}
    assert c["many-paths-real-penalties-robust"].interval[0] > 0
    assert c["many-paths-real-metrics-detect-collapse"].details["collapsed_runs"] >= 3
    assert c["many-paths-real-penalties-best"].details["top_k"] == mpr.top_k(8) == 3


def test_negative_controls_fail():
    # the NS-GAN and GAN-GP swapped: the penalty now hurts, across the grid and at the best settings
    swapped = {**PAPER, "ns_gan": PAPER["gan_gp"], "gan_gp": PAPER["ns_gan"]}
    c = _claims(_rows(swapped))
    assert c["many-paths-real-penalties-robust"].verdict == "not reproduced"
    # WGAN-GP and DRAGAN-NS swapped: WGAN-GP is no longer best
    c = _claims(_rows({**PAPER, "wgan_gp": PAPER["dragan_ns"], "dragan_ns": PAPER["wgan_gp"]}))
    assert c["many-paths-real-wgan-gp-critic"].verdict == "not reproduced"
    # metrics that run against coverage: collapse is not detected
    rows = _rows(PAPER)
    for r in rows:
        r["neg_w"], r["diversity_gap"] = -r["coverage"], 1 - r["coverage"]
    assert _claims(rows)["many-paths-real-metrics-detect-collapse"].verdict == "not reproduced"
    # only the critic sees the collapse, the diversity metric does not (collapsed runs as diverse as the rest)
    rows = _rows(PAPER)
    for r in rows:
        r["diversity_gap"] = 0.0
    assert _claims(rows)["many-paths-real-metrics-detect-collapse"].verdict != "reproduced"


def test_noise_is_not_collapse():
    # low coverage with an unsure classifier (noise: very diverse, -W low) is left out of both groups, so it neither
    # helps nor spoils the collapse claim; with only such runs below the mark the precondition is unmet
    rows = _rows(PAPER)
    for r in rows:
        if r["coverage"] < mpr.COLLAPSE_ENTROPY:
            r["confidence"], r["diversity_gap"] = 0.3, 0.4
    c = _claims(rows)["many-paths-real-metrics-detect-collapse"]
    assert c.reason == "precondition unmet" and c.details["failed_to_learn_runs"] >= 3
    noisy = _rows(PAPER) + [{**r, "setting": r["setting"] + "_noise", "confidence": 0.3, "diversity_gap": 0.5}
                            for r in _rows(PAPER) if r["coverage"] < mpr.COLLAPSE_ENTROPY]
    assert _claims(noisy)["many-paths-real-metrics-detect-collapse"].verdict == "reproduced"


def test_untrained_runs_and_missing_runs_decide_nothing():
    # every run alike (nothing trained): no collapse to detect, no difference between objectives
    flat = {o: [-2.0] * len(KEYS) for o in mpr.OBJECTIVES}
    c = _claims(_rows(flat, coverage={o: [0.1] * len(KEYS) for o in mpr.OBJECTIVES}))
    assert c["many-paths-real-metrics-detect-collapse"].reason == "precondition unmet"
    assert c["many-paths-real-penalties-robust"].verdict != "reproduced"
    rows = [r for r in _rows(PAPER) if not (r["objective"] == "wgan_gp" and r["setting"] == KEYS[0])]
    c = _claims(rows)
    assert (c["many-paths-real-wgan-gp-critic"].verdict, c["many-paths-real-wgan-gp-critic"].reason) == (
        "inconclusive", "precondition unmet")
    assert "7 of 8 settings" in c["many-paths-real-penalties-robust"].preconditions[0]["detail"]


def test_generators_that_draw_blobs_decide_nothing():
    # the paper's ordering of -W, but every generator still draws blobs the classifier is unsure about
    c = _claims(_rows(PAPER, confidence=0.45))
    assert {v.reason for v in c.values()} == {"precondition unmet"}
    detail = {p["name"]: p["detail"] for p in c["many-paths-real-penalties-robust"].preconditions}
    assert "median classifier confidence on the samples 0.45" in detail["the generators learned the data"]
    # with the confidence measured at the quarters of training, the detail shows its way (the budget ladder)
    rows = _rows(PAPER, confidence=0.45)
    for r in rows:
        r.update(confidence_q1=0.30, confidence_q2=0.36, confidence_q3=0.41)
    met, detail = mpr.learned(rows, real_confidence=0.9)
    assert not met and detail.endswith("at 1/4, 1/2, 3/4 and all of the budget: 0.30, 0.36, 0.41, 0.45 (rising)")
    assert mpr.learned(_rows(PAPER), real_confidence=0.9)[0]
    # CelebA has no classes: not checked, and said so
    met, detail = mpr.learned(_rows(PAPER, confidence=float("nan")), dataset="celeba")
    assert met and detail.startswith("not checked")


def test_bootstrap_interval_is_seeded_and_needs_two_items():
    stat = lambda idx: float(np.mean(np.arange(10.0)[idx]))  # noqa: E731
    a = mpr.bootstrap_interval(stat, 10, seed=3)
    assert a == mpr.bootstrap_interval(stat, 10, seed=3) and a[0] < 4.5 < a[1]
    assert mpr.bootstrap_interval(stat, 1) is None


def test_setting_names_and_top_k():
    assert mpr.setting_key(1e-4, 3e-4, 10) == "d1e-04_g3e-04_z10"
    assert len(mpr.grid(mpr.PROFILES["paper"])) == 27 and mpr.top_k(27) == 10
    assert len(KEYS) == 8 and mpr.top_k(1) == 1 and len(mpr.grid(mpr.PROFILES["quick"])) == 4


@pytest.mark.parametrize("override, match", [
    (dict(lrs_d=[]), "lrs_d must be a non-empty list"),
    (dict(latents=[0]), "latents"),
    (dict(n_eval=10), "n_eval = 10 must hold"),
    (dict(dataset="mnist"), "dataset must be one of"),
])
def test_bad_parameters_fail_before_anything_is_written(tmp_path, override, match):
    with pytest.raises(ValueError, match=match):
        mpr.run("smoke", out_dir=tmp_path / "x", progress=False, **override)
    assert not (tmp_path / "x").exists()


def test_objectives_and_settings_select_runs(tmp_path, fake_mnist_root):
    with pytest.raises(ValueError, match="settings must be one of"):
        mpr.run("smoke", out_dir=tmp_path / "a", progress=False, settings=["d9e-04_g1e-04_z10"])
    r = mpr.run("smoke", out_dir=tmp_path / "b", data_root=fake_mnist_root, progress=False, objectives=["ns_gan"],
                settings=["d1e-04_g3e-04_z10"])
    assert [(row["objective"], row["setting"]) for row in r.data["rows"]] == [("ns_gan", "d1e-04_g3e-04_z10")]
    assert (tmp_path / "b" / "runs" / "ns_gan" / "d1e-04_g3e-04_z10" / "samples.png").is_file()
    assert all(c.verdict == "inconclusive" for c in r.claims)
    merged = mpr.run("smoke", out_dir=tmp_path / "c", progress=False, collect_from=tmp_path / "b")
    assert len(merged.data["rows"]) == 1
    assert merged.data["rows"][0]["dataset"] == "color_mnist"
    # a collecting run judges one dataset: the Color MNIST runs are left out of a CelebA judgement, and named
    other = mpr.run("smoke", out_dir=tmp_path / "d", progress=False, collect_from=tmp_path / "b", dataset="celeba")
    assert other.data["rows"] == [] and any("Left out the runs on color_mnist" in n for n in other.notes)


def _tiny(dataset, **kw):
    return {**mpr.PROFILES["smoke"], "dataset": dataset, "n_critic_digits": 2, "n_test": 2, "n_eval": 4,
            "div_batch": 2, "div_batches": 2, **kw}


def test_the_paper_profile_reads_cifar10_and_celeba(tmp_path, monkeypatch):
    """CIFAR-10 and CelebA (generated files in their real formats) go through the study's data path: training stream,
    held-out sets, classifier (CIFAR-10) or none (CelebA), and a 64x64 DCGAN run evaluated without classes."""
    from test_image_data import make_celeba, make_cifar
    from torchvision import datasets

    make_cifar(tmp_path, monkeypatch)
    cifar = mpr.load_data(_tiny("cifar10"), tmp_path, seed=0)
    assert cifar["critic"].shape == cifar["test"].shape == (1, 3, 32, 32)  # 3 test images: halved between the two
    assert cifar["classifier"] is not None and "cifar10 from" in cifar["note"]
    assert cifar["sample"](5, torch.Generator().manual_seed(0)).shape == (5, 3, 32, 32)

    make_celeba(tmp_path, [(0, 0, 0), (255, 255, 255), (200, 40, 10), (10, 90, 250), (128, 128, 128), (30, 200, 60)])
    monkeypatch.setattr(datasets.CelebA, "_check_integrity", lambda self: True)
    p = _tiny("celeba")
    celeba = mpr.load_data(p, tmp_path, seed=0)
    assert celeba["classifier"] is None and celeba["test"].shape == (2, 3, 64, 64)
    assert float(celeba["test"].min()) >= -1 and float(celeba["test"].max()) <= 1
    g, info = mpr.train_setting("gan_gp", 1e-4, 1e-4, 100, celeba["sample"], iterations=1, dim=4, batch_size=2,
                                size=64)
    assert not info["diverged"]
    scores = mpr.evaluate(g, 100, celeba, p, classifier=None, reference=0.0)
    assert np.isfinite(scores["neg_w"]) and np.isnan(scores["coverage"]) and np.isnan(scores["confidence"])
    assert [s[2] for s in mpr.grid({**mpr.PROFILES["paper"], "dataset": "celeba"})][:3] == [100, 128, 150]


@pytest.mark.parametrize("tag, dataset", [("color-mnist", "color_mnist"), ("cifar10", "cifar10"), ("celeba", "celeba")])
def test_paper_sweep_grids_hold_every_run_once(tag, dataset):
    """The shipped sweep grids: 4 objectives x the 27 settings of the dataset's paper grid, each a valid run."""
    from gpkit import report, sweep
    from gpkit.experiments import MODULES
    from gpkit.notebook_params import papermill_parameters

    assert MODULES[mpr.NOTEBOOK] == "many_paths_real"
    runs = sweep.load_grid(f"many-paths-real-{tag}")
    src = report.resolve_notebook(mpr.NOTEBOOK)
    for params in runs:
        papermill_parameters(src, "paper", params)
    want = {(o, mpr.setting_key(*s)) for o in mpr.OBJECTIVES
            for s in mpr.grid({**mpr.PROFILES["paper"], "dataset": dataset})}
    assert {(r["objectives"][0], r["settings"][0]) for r in runs} == want and len(runs) == 108
    assert all(r.get("overrides", {}).get("dataset", "color_mnist") == dataset for r in runs)


def test_a_rerun_without_resume_trains_afresh(tmp_path, fake_mnist_root):
    """A second run into the same folder without ``resume`` trains every model again (the confidence probe fires at
    the quarters of training) instead of restoring the finished checkpoints; with ``resume`` it reuses the runs."""
    kw = dict(out_dir=tmp_path / "a", data_root=fake_mnist_root, progress=False, iterations=8, objectives=["ns_gan"],
              settings=["d1e-04_g1e-04_z10"])
    first = mpr.run("smoke", **kw)
    again = mpr.run("smoke", **kw)
    for r in (first, again):
        assert all(np.isfinite(r.data["rows"][0][f"confidence_q{k}"]) for k in (1, 2, 3))
    assert again.data["rows"][0]["neg_w"] == first.data["rows"][0]["neg_w"]  # same seed, same numbers
    resumed = mpr.run("smoke", resume=True, **kw)
    assert resumed.data["rows"][0]["seconds"] == again.data["rows"][0]["seconds"]  # the cached run, not a new one
