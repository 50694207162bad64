"""Image scores: uint8 conversion, the Inception weights lookup, the in-domain classifier backbone, and how
torch-fidelity is called."""

from __future__ import annotations

import pytest
import torch

from gpkit.metrics import classifier as clf
from gpkit.metrics import scores

CLASSIFIER = {"epochs": 3, "width": 8}


def test_to_uint8_truncates_like_the_reference():
    x = torch.tensor([-1.0, -0.999, 0.0, 0.5, 1.0, 1.5, -2.0]).view(1, 1, 1, 7)
    # ((x + 1) * 255.99 / 2).astype(int32), clipped: 0, 0 (0.128), 127 (127.995), 191 (191.99), 255, 255, 0
    assert scores.to_uint8(x).flatten().tolist() == [0, 0, 127, 191, 255, 255, 0]
    assert scores.to_uint8(torch.tensor([0.0, 0.5, 1.0]).view(1, 1, 1, 3), (0.0, 1.0)).flatten().tolist() == [0, 127, 255]
    assert scores.to_uint8(torch.zeros(2, 3, 4, 4)).dtype == torch.uint8


def test_inception_weights_are_looked_up_never_downloaded(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    monkeypatch.delenv(scores.INCEPTION_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match="weights-inception-2015-12-05-6726825d.pth") as err:
        scores.find_inception_weights()
    assert "backbone='classifier'" in str(err.value) and str(tmp_path / "hub" / "checkpoints") in str(err.value)
    given = tmp_path / "w.pth"
    given.write_bytes(b"x")
    assert scores.find_inception_weights(given) == given
    monkeypatch.setenv(scores.INCEPTION_ENV, str(given))
    assert scores.find_inception_weights() == given
    monkeypatch.delenv(scores.INCEPTION_ENV)
    hub = tmp_path / "hub" / "checkpoints" / scores.INCEPTION_WEIGHTS_FILE
    hub.parent.mkdir(parents=True)
    hub.write_bytes(b"y")
    assert scores.find_inception_weights() == hub


def test_classifier_is_cached_by_its_settings(fake_mnist_root):
    path = clf.get_classifier("mnist", fake_mnist_root, pad=2, progress=False, **CLASSIFIER)
    stamp = path.stat().st_mtime_ns
    assert clf.get_classifier("mnist", fake_mnist_root, pad=2, progress=False, **CLASSIFIER) == path
    assert path.stat().st_mtime_ns == stamp  # not retrained
    other = clf.classifier_path(clf.classifier_settings("mnist", pad=2, epochs=4, width=8), fake_mnist_root)
    assert other != path and path.parent == fake_mnist_root / "classifiers"
    model, record = clf.load_classifier(path)
    assert record["accuracy"] > 0.9  # the bar's position is the label: easy
    assert record["held_out"] == "test split"
    feats, logits = model.features(torch.zeros(3, 1, 32, 32, dtype=torch.uint8))
    assert feats.shape == (3, clf.FEATURES) and logits.shape == (3, 10)
    with pytest.raises(ValueError, match="unknown classifier settings"):
        clf.classifier_settings("mnist", depth=3)


def test_classifier_trains_with_a_fixed_thread_count_and_restores_the_callers(fake_mnist_root, monkeypatch):
    """The cached classifier must not depend on the thread count of whichever process trains it first."""
    seen, fit = [], clf._fit

    def recording(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return fit(*args, **kwargs)

    monkeypatch.setattr(clf, "_fit", recording)
    before = torch.get_num_threads()
    weights = []
    try:
        for threads in (2, 1):
            torch.set_num_threads(threads)
            path = clf.train_classifier("mnist", fake_mnist_root, pad=2, device="cpu", progress=False, epochs=1,
                                        width=4)
            assert torch.get_num_threads() == threads  # the caller's setting is back
            weights.append(torch.load(path, weights_only=True)["state_dict"])
    finally:
        torch.set_num_threads(before)
    assert seen == [clf.TRAIN_THREADS, clf.TRAIN_THREADS]
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])


@pytest.fixture(scope="module")
def real_scores(fake_mnist_root, tmp_path_factory):
    cache = tmp_path_factory.mktemp("fidelity")
    common = dict(dataset="mnist", backbone="classifier", pad=2, root=fake_mnist_root, classifier=CLASSIFIER,
                  cache_dir=cache, n_reference=1000, kid=False, device="cpu")
    held_out = scores.reference_images("mnist", "test", root=fake_mnist_root, pad=2)
    half_a = scores.reference_images("mnist", "train", n=1000, seed=5, root=fake_mnist_root, pad=2)
    noise = torch.rand(500, 1, 32, 32) * 2 - 1
    single = held_out[:1].expand(500, -1, -1, -1).contiguous()
    return {name: scores.image_scores(x, **common) for name, x in
            (("held_out", held_out), ("half", half_a), ("noise", noise), ("single", single))}


def test_classifier_scores_rank_real_images_above_noise_and_a_single_image(real_scores):
    real, noise, single = real_scores["held_out"], real_scores["noise"], real_scores["single"]
    assert real["is_mean"] > 2 * noise["is_mean"] and real["is_mean"] > 5
    assert real["is_mean"] > 2 * single["is_mean"] and single["is_mean"] == pytest.approx(1.0, abs=1e-3)
    assert real["backbone"] == "classifier" and real["score_name"] == "classifier score"
    assert real["fid_name"] == "classifier FID" and real["n"] == 500 and real["splits"] == 10
    assert real["reference_split"] == "train" and real["n_reference"] == 1000


def test_classifier_fid_of_real_halves_is_far_below_real_against_noise(real_scores):
    assert real_scores["half"]["fid"] * 20 < real_scores["noise"]["fid"]
    assert real_scores["held_out"]["fid"] * 20 < real_scores["noise"]["fid"]


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return {"inception_score_mean": 2.0, "inception_score_std": 0.1, "frechet_inception_distance": 3.0,
                "kernel_inception_distance_mean": 0.5, "kernel_inception_distance_std": 0.01}


def test_torch_fidelity_follows_the_device_and_caches_per_backbone(fake_mnist_root, tmp_path, monkeypatch):
    import torch_fidelity

    rec = _Recorder()
    monkeypatch.setattr(torch_fidelity, "calculate_metrics", rec)
    images = torch.rand(20, 1, 32, 32) * 2 - 1
    out = scores.image_scores(images, dataset="mnist", backbone="classifier", pad=2, root=fake_mnist_root,
                              classifier=CLASSIFIER, cache_dir=tmp_path, n_reference=50, device="cpu",
                              checkpoint="best", seed=3)
    call = rec.calls[-1]
    assert call["cuda"] is False and call["feature_extractor"] == "gpkit-classifier"
    assert call["cache_root"].startswith(str(tmp_path / "classifier-mnist-"))
    assert call["feature_extractor_weights_path"].endswith(".pt") and call["rng_seed"] == 3
    assert call["input1"][0].dtype == torch.uint8 and len(call["input2"]) == 50 and call["kid_subset_size"] == 20
    assert (out["is_mean"], out["fid"], out["checkpoint"], out["seed"]) == (2.0, 3.0, "best", 3)

    weights = tmp_path / "inception.pth"
    weights.write_bytes(b"fake weights")
    scores.image_scores(images, dataset="mnist", backbone="inception", pad=2, root=fake_mnist_root,
                        weights_path=weights, cache_dir=tmp_path, reference_split=None, device="cpu")
    call = rec.calls[-1]
    assert call["feature_extractor"] == "inception-v3-compat" and call["feature_extractor_weights_path"] == str(weights)
    assert call["cache_root"].startswith(str(tmp_path / "inception-")) and "input2" not in call
    assert call["input1"][0].shape == (3, 32, 32)  # grey images repeated to the three channels Inception takes
    if torch.cuda.is_available():
        scores.image_scores(images, dataset="mnist", backbone="inception", pad=2, root=fake_mnist_root,
                            weights_path=weights, cache_dir=tmp_path, reference_split=None, device="cuda")
        assert rec.calls[-1]["cuda"] is True


def test_bad_score_arguments_fail_fast(fake_mnist_root):
    x = torch.zeros(20, 1, 32, 32)
    with pytest.raises(ValueError, match="backbone must be one of"):
        scores.image_scores(x, dataset="mnist", backbone="vgg")
    with pytest.raises(ValueError, match="checkpoint must be one of"):
        scores.image_scores(x, dataset="mnist", backbone="classifier", checkpoint="first")
    with pytest.raises(ValueError, match="splits"):
        scores.image_scores(x[:5], dataset="mnist", backbone="classifier")
    with pytest.raises(ValueError, match="differ in shape"):  # 28x28 references against 32x32 samples
        scores.image_scores(x, dataset="mnist", backbone="classifier", root=fake_mnist_root, classifier=CLASSIFIER,
                            n_reference=50, device="cpu")


def test_conditional_generators_are_sampled_with_uniform_labels(fake_mnist_root, tmp_path, monkeypatch):
    import torch_fidelity

    from gpkit.models.images import cifar_resnet_generator

    class LabelImage(torch.nn.Module):
        latent_dim, num_classes = 4, 10

        def forward(self, z, y):
            return (y.float() / 9 * 2 - 1).view(-1, 1, 1, 1).expand(-1, 1, 32, 32)

    x = scores.sample_generator(LabelImage(), 1000, num_classes=10, seed=0, device="cpu")
    counts = torch.bincount(scores.to_uint8(x)[:, 0, 0, 0].long() // 28, minlength=10)
    assert counts.min() > 60 and counts.max() < 140  # about 100 of each class
    assert torch.equal(x, scores.sample_generator(LabelImage(), 1000, num_classes=10, seed=0, device="cpu"))
    g = cifar_resnet_generator(dim=8, num_classes=10, channels=1)
    assert scores.sample_generator(g, 30, num_classes=10, batch_size=16, device="cpu").shape == (30, 1, 32, 32)
    rec = _Recorder()
    monkeypatch.setattr(torch_fidelity, "calculate_metrics", rec)
    out = scores.generator_scores(g, 30, dataset="mnist", num_classes=10, backbone="classifier", pad=2,
                                  root=fake_mnist_root, classifier=CLASSIFIER, cache_dir=tmp_path, n_reference=40,
                                  device="cpu")
    assert out["n"] == 30 and len(rec.calls[-1]["input1"]) == 30
