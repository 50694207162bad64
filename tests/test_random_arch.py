"""Table 1's random architectures: the sampler covers the table and is seeded; every draw builds for both methods."""

from __future__ import annotations

import itertools

import pytest
import torch

from gpkit.models import random_arch as ra
from gpkit.models.images import ChannelLayerNorm


def test_sampler_is_seeded_and_covers_table1():
    a, b = ra.sample_architectures(200, seed=3), ra.sample_architectures(200, seed=3)
    assert a == b and a != ra.sample_architectures(200, seed=4)
    for side, (key, options) in itertools.product(("g", "d"), ra.TABLE1.items()):
        seen = {getattr(s, f"{side}_{key}") for s in a}
        assert seen == set(options), (side, key)
    # G and D draw independently: the depths agree about as often as chance (1/4), not always
    same = sum(s.g_depth == s.d_depth for s in a) / len(a)
    assert 0.1 < same < 0.45
    with pytest.raises(ValueError, match="g_depth must be one of"):
        ra.ArchSpec("relu", 5, True, 32, "relu", 4, True, 32)


@pytest.mark.parametrize("method", ["gan", "wgan-gp"])
def test_every_setting_builds_with_the_right_shapes_and_depth(method):
    z = torch.randn(3, 128)
    for depth, act, norm, f in zip((4, 8, 12, 20), ra.TABLE1["nonlinearity"], (True, False, True, False),
                                   (32, 64, 32, 32)):
        spec = ra.ArchSpec(act, depth, norm, f, act, depth, not norm, f)
        g, d = ra.build(spec, method, channels=1)
        x = g(z)
        assert x.shape == (3, 1, 32, 32) and x.abs().max() <= 1
        assert d(x).shape == (3,)
        weights = lambda m: sum(isinstance(l, (torch.nn.Linear, torch.nn.Conv2d, torch.nn.ConvTranspose2d))  # noqa: E731
                                for l in m.modules())
        assert weights(g) == depth and weights(d) == depth


def test_critic_normalisation_follows_the_method():
    spec = ra.ArchSpec("relu", 8, True, 32, "relu", 8, True, 32)
    _, d_gan = ra.build(spec, "gan")
    _, d_gp = ra.build(spec, "wgan-gp")
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in d_gan.modules())
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in d_gp.modules())
    assert sum(isinstance(m, ChannelLayerNorm) for m in d_gp.modules()) == 2 + 4  # two base layers + four extra
    off = ra.ArchSpec("relu", 8, False, 32, "relu", 8, False, 32)
    g, d = ra.build(off, "gan")
    assert not any(isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)) for m in [*g.modules(), *d.modules()])
    with pytest.raises(ValueError, match="method must be one of"):
        ra.build(spec, "lsgan")


def test_table1_lists_every_option():
    df = ra.table1()
    assert len(df) == 8 and set(df["network"]) == {"G", "D"}
    assert "softplus" in df.iloc[0]["values"] and "layer norm" in df[df.network == "D"]["note"].str.cat()


def test_table2_counts_and_claim():
    from gpkit.experiments import random_architectures as t2

    scores = [{"gan": 8.0, "wgan-gp": 8.5}, {"gan": 1.2, "wgan-gp": 6.0}, {"gan": 4.0, "wgan-gp": 2.0},
              {"gan": 1.0, "wgan-gp": 1.0}]
    counts = t2.table2_counts(scores, [1.0, 3.0, 5.0, 7.0, 9.0])
    assert counts[0] == {"threshold": 1.0, "only_gan": 0, "only_wgan_gp": 0, "both": 3, "neither": 1}
    assert counts[1] == {"threshold": 3.0, "only_gan": 1, "only_wgan_gp": 1, "both": 1, "neither": 1}
    assert counts[2] == {"threshold": 5.0, "only_gan": 0, "only_wgan_gp": 1, "both": 1, "neither": 2}
    assert counts[4]["neither"] == 4
    (claim,) = t2.claims(counts)
    # informative thresholds (the objectives differ): t=3 (a tie) and t=5 (WGAN-GP wins): 1 of 2 is not "most"
    assert claim.id == "table2-only-wgan-gp" and claim.value == 0.5 and claim.verdict == "not reproduced"
    paper = [{"threshold": t, "only_gan": g, "only_wgan_gp": w, "both": b, "neither": n} for t, g, w, b, n in
             ((1, 0, 8, 192, 0), (3, 1, 88, 110, 1), (5, 0, 147, 42, 11), (7, 1, 104, 5, 90), (9, 0, 0, 0, 200))]
    assert t2.claims(paper)[0].value == 1.0  # the paper's own counts reproduce the claim
    flipped = [{**c, "only_gan": c["only_wgan_gp"], "only_wgan_gp": c["only_gan"]} for c in paper]
    assert t2.claims(flipped)[0].verdict == "not reproduced"


def test_thresholds_rescale_through_the_dcgan_reference():
    from gpkit.experiments import random_architectures as t2

    assert t2.rescale_thresholds([1.0, 7.24, 4.12], our_reference=4.0) == pytest.approx([1.0, 4.0, 2.5])
    with pytest.raises(ValueError, match="our_reference"):
        t2.rescale_thresholds([3.0], our_reference=1.0)


def test_train_architecture_scores_the_final_generator(tmp_path):
    from gpkit.experiments import random_architectures as t2

    spec = ra.ArchSpec("leaky_relu", 4, True, 32, "relu", 8, True, 32)
    data = torch.rand(32, 1, 32, 32) * 2 - 1
    seen = []

    def scorer(g):
        seen.append(g(torch.randn(4, 128)).shape)
        return {"is_mean": 2.5, "fid": 10.0}

    for objective in t2.OBJECTIVES:
        out = t2.train_architecture(spec, objective, lambda n, rng: data[torch.randint(0, 32, (n,), generator=rng)],
                                    scorer, iterations=2, channels=1, batch_size=4, out_dir=tmp_path / objective)
        assert out["objective"] == objective and out["score"] == 2.5 and not out["diverged"]
    assert seen == [(4, 1, 32, 32)] * 2
    cfg = t2.objective_config("wgan-gp", 10, batch_size=64)
    assert (cfg.gen_batch_size, cfg.n_critic, cfg.penalty) == (128, 5, "gp")


def test_table2_run_trains_collects_and_resumes(tmp_path, fake_mnist_root):
    import json

    from gpkit.experiments import random_architectures as t2

    data = fake_mnist_root
    first = t2.run("smoke", out_dir=tmp_path / "a", data_root=data, progress=False, architectures=["dcgan", 0])
    assert first.notes[-1].startswith("No architecture has both") or "counts" in first.data
    second = t2.run("smoke", out_dir=tmp_path / "b", data_root=data, progress=False, architectures=[1])
    assert {r["arch"] for r in second.data["rows"]} == {"1"}
    merged = t2.run("smoke", out_dir=tmp_path / "c", collect_from=tmp_path, progress=False)
    assert merged.metrics["architectures"] == 2 and merged.claims[0].id == "table2-only-wgan-gp"
    cached = json.loads((tmp_path / "a" / "arch_000" / "gan" / "score.json").read_text())
    again = t2.run("smoke", out_dir=tmp_path / "a", data_root=data, progress=False, architectures=[0], resume=True)
    assert [r["score"] for r in again.data["rows"] if r["objective"] == "gan"] == [cached["score"]]
    with pytest.raises(ValueError, match="architectures must be indices below"):
        t2.run("smoke", out_dir=tmp_path / "d", data_root=data, progress=False, architectures=[7])
