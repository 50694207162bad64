"""What the compendium reproduces: every paper figure, claim and printed number, in paper order.

The catalogue is the report's backbone. A figure of the paper appears in the
gallery whether or not its notebook has run (then marked "not run yet"); a
claim listed here gets a row in the claims table even before its notebook
exists; a number the paper prints (Tables 2-4) is shown beside ours once a run
records it with :meth:`gpkit.experiments.base.Run.add_comparison`.

A notebook's claims use the ``id`` of a :class:`PaperClaim` listed here (a test
checks that every claim a notebook produces is catalogued and vice versa).
Captions are quoted from the papers in ``../shared/papers/``; where the extracted
text of a paper lost a caption, the sentence of the text that describes the
figure is quoted instead and marked so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "PAPERS",
    "PaperFigure",
    "PaperClaim",
    "PaperNumber",
    "FIGURES",
    "CLAIMS",
    "NUMBERS",
    "TABLE4_PAPER_SAMPLES",
    "claims_for",
    "figures_for",
    "number",
    "NOTEBOOK_TITLES",
    "NOTEBOOKS",
    "Notebook",
    "claim",
    "notebook",
]

#: Short names used throughout (``results.json`` ``paper`` field) and full titles.
PAPERS = {
    "WGAN-GP": "Improved Training of Wasserstein GANs (Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville, 2017)",
    "WGAN": "Wasserstein GAN (Arjovsky, Chintala, Bottou, 2017)",
    "Many Paths": "Many Paths to Equilibrium: GANs Do Not Need to Decrease a Divergence at Every Step "
                  "(Fedus, Rosca, Lakshminarayanan, Dai, Mohamed, Goodfellow, 2018)",
}

@dataclass(frozen=True)
class Notebook:
    """A notebook of the compendium: its title (report, ``results.json``), the paper and the figure it
    reproduces (a run's ``paper`` and ``figure`` fields)."""

    stem: str
    title: str
    paper: str
    figure: str


#: Every notebook of the compendium with what it reproduces: the one source of a run's title, paper and figure.
NOTEBOOKS: dict[str, Notebook] = {n.stem: n for n in (
    Notebook("01_toy_value_surfaces", "Figure 1a: value surfaces of critics on toy data", "WGAN-GP", "Figure 1a"),
    Notebook("02_deep_critic_gradients", "Figure 1b: gradient norms and weights of deep critics", "WGAN-GP",
             "Figure 1b"),
    Notebook("03_inception_curves", "Figure 3: CIFAR-10 score over iterations and wall-clock time", "WGAN-GP",
             "Figure 3"),
    Notebook("04_cifar_scores", "Table 3: CIFAR-10 Inception scores of the ResNet", "WGAN-GP", "Table 3"),
    Notebook("05_overfitting_curves", "Figure 5b: overfitting on 1000 MNIST digits", "WGAN-GP", "Figure 5b"),
    Notebook("06_loss_curves", "Figure 5a (and Figure 4): a meaningful critic loss", "WGAN-GP", "Figure 5a"),
    Notebook("07_random_architectures", "Tables 1-2: 200 random architectures", "WGAN-GP", "Tables 1, 2"),
    Notebook("08_architecture_zoo", "Figure 2: seven architectures (DCGAN and six harder ones) x four methods",
             "WGAN-GP", "Figure 2"),
    Notebook("09_language_model", "Table 4: character-level language model", "WGAN-GP", "Table 4"),
    Notebook("10_wgan_paper", "WGAN paper: Figures 1-3", "WGAN", "Figures 1-3"),
    Notebook("11_many_paths_synthetic", "Many Paths: synthetic experiments and hyperparameter sensitivity",
             "Many Paths", "Synthetic experiments I and II"),
    Notebook("12_one_sided_penalty", "Appendix: one-sided versus two-sided penalty, and the coefficient lambda",
             "WGAN-GP", "Appendix (one-sided penalty)"),
    Notebook("13_many_paths_real_data", "Many Paths: real data (Color MNIST) over the hyperparameter grid",
             "Many Paths", "Section 5 (real data)"),
)}
#: Notebook stem -> title (from :data:`NOTEBOOKS`).
NOTEBOOK_TITLES = {stem: n.title for stem, n in NOTEBOOKS.items()}


@dataclass(frozen=True)
class PaperFigure:
    """A figure or table of a paper, where we reproduce it, and the paper's caption.

    ``outputs`` are the names of our exported figures (``<name>.png``) that show it.
    """

    key: str
    paper: str
    label: str
    caption: str
    notebook: str
    outputs: tuple[str, ...] = ()
    caption_source: str = "caption"  # or "text" when the caption was lost in extraction


@dataclass(frozen=True)
class PaperClaim:
    """A claim of a paper that a notebook decides from its own numbers."""

    id: str
    paper: str
    figure: str
    statement: str
    notebook: str


@dataclass(frozen=True)
class PaperNumber:
    """A number the paper prints, to be shown beside ours.

    ``key`` is what a run passes to ``Run.add_comparison``; ``std`` is the
    paper's ± where printed; ``ours_expected`` says whether we train this row
    (False for the other methods of a comparison table, shown for context).
    """

    key: str
    table: str
    row: str
    column: str
    value: float
    std: float | None = None
    notebook: str = ""
    ours_expected: bool = True
    unit: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)


FIGURES: tuple[PaperFigure, ...] = (
    # ------------------------------------------------------------------ WGAN-GP
    PaperFigure(
        "wgan-gp/fig1a", "WGAN-GP", "Figure 1a",
        "Value surfaces of WGAN critics trained to optimality on toy datasets using (top) weight clipping and "
        "(bottom) gradient penalty. Critics trained with weight clipping fail to capture higher moments of the data "
        "distribution. The 'generator' is held fixed at the real data plus Gaussian noise.",
        "01_toy_value_surfaces", ("fig1a_value_surfaces", "fig1a_diagnostics"),
    ),
    PaperFigure(
        "wgan-gp/fig1b", "WGAN-GP", "Figure 1b",
        "(left) Gradient norms of deep WGAN critics during training on toy datasets either explode or vanish when "
        "using weight clipping, but not when using a gradient penalty. (right) Weight clipping (top) pushes weights "
        "towards two values (the extremes of the clipping range), unlike gradient penalty (bottom).",
        "02_deep_critic_gradients", ("fig1b_deep_critics", "fig1b_training"),
    ),
    PaperFigure(
        "wgan-gp/table1", "WGAN-GP", "Table 1",
        "We evaluate WGAN-GP's ability to train the architectures in this set.",
        "07_random_architectures", ("table1_architectures",),
    ),
    PaperFigure(
        "wgan-gp/table2", "WGAN-GP", "Table 2",
        "Outcomes of training 200 random architectures, for different success thresholds. For comparison, our "
        "standard DCGAN achieved a score of 7.24. A longer version of this table can be found in the appendix.",
        "07_random_architectures", ("table2_outcomes", "table2_samples"),
    ),
    PaperFigure(
        "wgan-gp/fig2", "WGAN-GP", "Figure 2",
        "Different GAN architectures trained with different methods. We only succeeded in training every "
        "architecture with a shared set of hyperparameters using WGAN-GP.",
        "08_architecture_zoo", ("fig2_architecture_zoo", "fig2_scores", "fig2_ladder"),
    ),
    PaperFigure(
        "wgan-gp/fig3", "WGAN-GP", "Figure 3",
        "CIFAR-10 Inception score over generator iterations (left) or wall-clock time (right) for four models: WGAN "
        "with weight clipping, WGAN-GP with RMSProp and Adam (to control for the optimizer), and DCGAN. WGAN-GP "
        "significantly outperforms weight clipping and performs comparably to DCGAN.",
        "03_inception_curves", ("fig3_inception_curves", "fig3_samples"),
    ),
    PaperFigure(
        "wgan-gp/table3", "WGAN-GP", "Table 3",
        "Inception scores on CIFAR-10. Our unsupervised model achieves state-of-the-art performance, and our "
        "conditional model outperforms all others except SGAN.",
        "04_cifar_scores", ("table3_samples",),
    ),
    PaperFigure(
        "wgan-gp/fig4", "WGAN-GP", "Figure 4",
        "Samples of 128x128 LSUN bedrooms. We believe these samples are at least comparable to the best published "
        "results so far.",
        "06_loss_curves", ("fig4_samples",),
    ),
    PaperFigure(
        "wgan-gp/table4", "WGAN-GP", "Table 4",
        "Samples from a WGAN character-level language model trained with our method on sentences from the Billion "
        "Word dataset, truncated to 32 characters. The model learns to directly output one-hot character embeddings "
        "from a latent vector without any discrete sampling step. We were unable to achieve comparable results with "
        "the standard GAN objective and a continuous generator.",
        "09_language_model", ("table4_js_curves", "table4_samples"),
    ),
    PaperFigure(
        "wgan-gp/fig5a", "WGAN-GP", "Figure 5a",
        "The negative critic loss of our model on LSUN bedrooms converges toward a minimum as the network trains.",
        "06_loss_curves", ("fig5a_loss_curves",),
    ),
    PaperFigure(
        "wgan-gp/fig5b", "WGAN-GP", "Figure 5b",
        "WGAN training and validation losses on a random 1000-digit subset of MNIST show overfitting when using "
        "either our method (left) or weight clipping (right). In particular, with our method, the critic overfits "
        "faster than the generator, causing the training loss to increase gradually over time even as the "
        "validation loss drops.",
        "05_overfitting_curves", ("fig5b_overfitting", "fig5b_samples"),
    ),
    PaperFigure(
        "wgan-gp/one-sided", "WGAN-GP", "Appendix (one-sided penalty)",
        "Two-sided penalty: we encourage the norm of the gradient to go towards 1 (two-sided penalty) instead of "
        "just staying below 1 (one-sided penalty). [...] In our early observations we found this to perform "
        "slightly better, but we don't investigate this fully.",
        "12_one_sided_penalty", ("one_sided_penalty", "one_sided_w1", "one_sided_mnist"), caption_source="text",
    ),
    PaperFigure(
        "wgan-gp/lambda", "WGAN-GP", "Section 4 (penalty coefficient)",
        "Penalty coefficient: All experiments in this paper use lambda = 10, which we found to work well across a "
        "variety of architectures and datasets ranging from toy tasks to large ImageNet CNNs.",
        "12_one_sided_penalty", ("lambda_sweep",), caption_source="text",
    ),
    # --------------------------------------------------------------------- WGAN
    PaperFigure(
        "wgan/fig1", "WGAN", "Figure 1",
        "These plots show rho(P_theta, P_0) as a function of theta when rho is the EM distance (left plot) or the JS "
        "divergence (right plot). The EM plot is continuous and provides a usable gradient everywhere. The JS plot "
        "is not continuous and does not provide a usable gradient.",
        "10_wgan_paper", ("wgan_fig1_parallel_lines",),
    ),
    PaperFigure(
        "wgan/fig2", "WGAN", "Figure 2",
        "Different methods learning a mixture of 8 gaussians spread in a circle. WGAN is able to learn the "
        "distribution without mode collapse. An interesting fact is that the WGAN (much like the Wasserstein "
        "distance) seems to capture first the low dimensional structure of the data (the approximate circle) before "
        "matching the specific bumps in the density.",
        "10_wgan_paper", ("wgan_fig2_mixture", "wgan_fig2_modes"),
    ),
    PaperFigure(
        "wgan/fig3", "WGAN", "Figure 3",
        "Optimal discriminator and critic when learning to differentiate two Gaussians. As we can see, the "
        "traditional GAN discriminator saturates and results in vanishing gradients. Our WGAN critic provides very "
        "clean gradients on all parts of the space.",
        "10_wgan_paper", ("wgan_fig3_saturation",),
    ),
    PaperFigure(
        "wgan/fig4", "WGAN", "Figure 4",
        "Training curves and samples at different stages of training. We can see a clear correlation between lower "
        "error and better sample quality. [...] Lower half: both the generator and the discriminator are MLPs with "
        "substantially high learning rates (so training failed). Loss is constant and samples are constant as well.",
        "06_loss_curves", ("wgan_fig4_loss_vs_quality",),
    ),
    PaperFigure(
        "wgan/fig5", "WGAN", "Figure 5",
        "JS estimates for an MLP generator (upper left) and a DCGAN generator (upper right) trained with the standard "
        "GAN procedure. [...] Samples get better for the DCGAN but the JS estimate increases or stays constant, "
        "pointing towards no significant correlation between sample quality and loss.",
        "06_loss_curves", ("wgan_fig4_loss_vs_quality",),
    ),
    PaperFigure(
        "wgan/adam", "WGAN", "Section 4.3 (Adam)",
        "Finally, as a negative result, we report that WGAN training becomes unstable at times when one uses a "
        "momentum based optimizer such as Adam (with beta1 > 0) on the critic, or when one uses high learning rates. "
        "[...] as the loss blew up and samples got worse, the cosine between the Adam step and the gradient usually "
        "turned negative. The only places where this cosine was negative was in these situations of instability.",
        "06_loss_curves", ("wgan_adam",), caption_source="text",
    ),
    PaperFigure(
        "wgan/fig6-8", "WGAN", "Figures 6-8",
        "Algorithms trained with a DCGAN generator (Figure 6), a generator without batch normalization and a "
        "constant number of filters (Figure 7), and an MLP generator with 4 layers and 512 units (Figure 8). Left: "
        "WGAN algorithm. Right: standard GAN formulation. [...] the standard GAN failed to learn while the WGAN "
        "still was able to produce samples.",
        "08_architecture_zoo", ("wgan_fig6_8_generators",),
    ),
    # --------------------------------------------------------------- Many Paths
    PaperFigure(
        "many-paths/fig1", "Many Paths", "Figure 1",
        "The non-saturating GAN does not suffer from vanishing gradients when applied to two widely separated "
        "Gaussian distributions. [...] the gradient for this loss does not actually vanish even when the "
        "discriminator is optimal.",
        "10_wgan_paper", ("wgan_fig3_saturation",), caption_source="text",
    ),
    PaperFigure(
        "many-paths/synthetic", "Many Paths", "Synthetic experiments I and II",
        "Despite the inability of Jensen-Shannon divergence minimization to solve this problem, we find that the "
        "non-saturating GAN succeeds in converging to the 1D data manifold. However, in higher dimensions the "
        "resulting fit is not as strong as the other methods.",
        "11_many_paths_synthetic", ("many_paths_synthetic", "many_paths_manifold"), caption_source="text",
    ),
    PaperFigure(
        "many-paths/sensitivity", "Many Paths", "Figures 5-6 (hyperparameter sensitivity)",
        "We keep the input dimension fixed while varying the learning rate (Figure 5); in another setting, we keep "
        "the learning rate fixed, while varying the input dimension (Figure 6). In both cases, the results are "
        "averaged out over 1000 runs per setting, each starting from a different random seed.",
        "11_many_paths_synthetic", ("many_paths_sensitivity",), caption_source="text",
    ),
    PaperFigure(
        "many-paths/real-data", "Many Paths", "Section 5 (real data)",
        "We show that gradient penalties make non-saturating GANs more robust to hyperparameter changes. For this, "
        "we report not only the best obtained results, but rather a box plot of the obtained results showing the "
        "quartiles obtained by each sweep, along with the top 10 best results explicitly shown in the graph.",
        "13_many_paths_real_data", ("many_paths_real_boxes", "many_paths_real_samples"), caption_source="text",
    ),
)


def _c(id: str, paper: str, figure: str, notebook: str, statement: str) -> PaperClaim:
    return PaperClaim(id, paper, figure, statement, notebook)


CLAIMS: tuple[PaperClaim, ...] = (
    _c("fig1a-higher-moments", "WGAN-GP", "Figure 1a", "01_toy_value_surfaces",
       "Critics trained with weight clipping ignore higher moments of the data and model very simple approximations "
       "to the optimal critic; critics trained with the gradient penalty follow it."),
    _c("fig1a-capacity-underuse", "WGAN-GP", "Figure 1a", "01_toy_value_surfaces",
       "Clipped critics do not attain the optimal critic's unit gradient norm almost everywhere (capacity underuse, "
       "Sec. 3.1); penalised critics do."),
    _c("fig1a-optimality", "WGAN-GP", "Figure 1a", "01_toy_value_surfaces",
       "The penalised critics are trained to optimality: their W estimate matches the exact W1."),
    _c("fig1b-clip-explode-vanish", "WGAN-GP", "Figure 1b", "02_deep_critic_gradients",
       "With weight clipping the gradient grows or decays exponentially through a deep critic, for every c tried."),
    _c("fig1b-gp-stable", "WGAN-GP", "Figure 1b", "02_deep_critic_gradients",
       "With the gradient penalty the gradient norms neither vanish nor explode through the deep critic."),
    _c("fig1b-weights-at-bounds", "WGAN-GP", "Figure 1b", "02_deep_critic_gradients",
       "Weight clipping pushes the critic's weights towards the two extremes of the clipping range; the gradient "
       "penalty does not."),
    _c("fig1b-directions", "WGAN-GP", "Figure 1b", "02_deep_critic_gradients",
       "Gradients explode for c = 0.1 and vanish for c = 0.01 and 0.001."),
    _c("table2-only-wgan-gp", "WGAN-GP", "Table 2", "07_random_architectures",
       "For most score thresholds WGAN-GP trains many random architectures the standard GAN cannot "
       "(\"only WGAN-GP\" clearly exceeds \"only GAN\")."),
    _c("fig2-only-wgan-gp-trains-all", "WGAN-GP", "Figure 2", "08_architecture_zoo",
       "Only WGAN-GP trains every one of the six architectures (and the DCGAN baseline) with one shared set of "
       "hyperparameters; each other method fails on some."),
    _c("fig3-gp-beats-clipping", "WGAN-GP", "Figure 3", "03_inception_curves",
       "With the same optimizer (RMSProp) and learning rate, WGAN-GP converges faster and to a better score than "
       "weight clipping."),
    _c("fig3-adam-beats-rmsprop", "WGAN-GP", "Figure 3", "03_inception_curves",
       "WGAN-GP with Adam scores better still than WGAN-GP with RMSProp."),
    _c("fig3-dcgan-faster-wallclock", "WGAN-GP", "Figure 3", "03_inception_curves",
       "DCGAN converges faster in wall-clock time than WGAN-GP."),
    _c("fig3-gp-more-stable", "WGAN-GP", "Figure 3", "03_inception_curves",
       "\"Our method converges more slowly (in wall-clock time) than DCGAN, but its score is more stable at "
       "convergence.\""),
    _c("table3-unsupervised", "WGAN-GP", "Table 3", "04_cifar_scores",
       "The unsupervised WGAN-GP ResNet reaches an Inception score of 7.86 +- .07 on CIFAR-10."),
    _c("table3-supervised", "WGAN-GP", "Table 3", "04_cifar_scores",
       "The conditional WGAN-GP ResNet (AC-GAN head) reaches 8.42 +- .10, above the unsupervised model."),
    _c("fig5a-loss-meaningful", "WGAN-GP", "Figure 5a", "06_loss_curves",
       "The negative critic loss decreases as training proceeds and samples improve (a meaningful loss)."),
    _c("fig5b-gp-train-val-diverge", "WGAN-GP", "Figure 5b", "05_overfitting_curves",
       "On 1000 MNIST digits the training and validation critic losses diverge with the penalty (its critic overfits "
       "faster than the clipped one)."),
    _c("fig5b-clip-train-val-diverge", "WGAN-GP", "Figure 5b", "05_overfitting_curves",
       "On 1000 MNIST digits the training and validation critic losses diverge with weight clipping too."),
    _c("fig5b-gp-train-rises-val-falls", "WGAN-GP", "Figure 5b", "05_overfitting_curves",
       "With the penalty the training loss rises gradually while the validation loss drops."),
    _c("table4-wgan-gp-beats-gan", "WGAN-GP", "Table 4", "09_language_model",
       "WGAN-GP learns plausible text from a continuous generator: its character n-gram JS divergence to the corpus "
       "falls well below the standard GAN's and towards the validation baseline."),
    _c("one-sided-two-sided-better", "WGAN-GP", "Appendix (one-sided penalty)", "12_one_sided_penalty",
       "\"In our early observations we found this [the two-sided penalty] to perform slightly better\" than the "
       "one-sided penalty."),
    _c("wgan-gp-lambda-10-works", "WGAN-GP", "Section 4 (penalty coefficient)", "12_one_sided_penalty",
       "\"All experiments in this paper use lambda = 10, which we found to work well across a variety of "
       "architectures and datasets ranging from toy tasks to large ImageNet CNNs\": on every toy task the critic at "
       "lambda = 10 is as good as at the best coefficient chosen for that task alone."),
    _c("wgan-adam-unstable", "WGAN", "Section 4.3 (Adam)", "06_loss_curves",
       "\"WGAN training becomes unstable at times when one uses a momentum based optimizer such as Adam (with "
       "beta1 > 0) on the critic\": with Adam in place of RMSProp the clipped WGAN's samples get worse during "
       "training by more than with RMSProp."),
    _c("wgan-fig1-em-continuous", "WGAN", "Figure 1", "10_wgan_paper",
       "The EM distance between the parallel lines is continuous in theta (|theta|); the JS divergence is a step."),
    _c("wgan-fig2-no-mode-collapse", "WGAN", "Figure 2", "10_wgan_paper",
       "\"Our WGAN algorithm approximately finds the correct distribution, without any mode collapse\" on the mixture "
       "of 8 Gaussians (all modes covered; the standard GAN's modes are shown beside it)."),
    _c("wgan-fig3-discriminator-saturates", "WGAN", "Figure 3", "10_wgan_paper",
       "The optimal GAN discriminator saturates (vanishing gradients at the fake samples); the WGAN critic stays "
       "close to linear."),
    _c("wgan-fig4-loss-tracks-quality", "WGAN", "Figure 4", "06_loss_curves",
       "The critic's estimate of the EM distance falls as sample quality improves (and stays flat when training "
       "fails)."),
    _c("wgan-fig5-js-does-not-track", "WGAN", "Figure 5", "06_loss_curves",
       "The standard GAN's JS estimate \"clearly correlates poorly the sample quality\" (it stays constant or goes "
       "up while samples improve)."),
    _c("wgan-fig6-8-generators", "WGAN", "Figures 6-8", "08_architecture_zoo",
       "With the no-BN constant-filter and the MLP generators WGAN still produces samples where the standard GAN "
       "fails or collapses; with the DCGAN generator both work."),
    _c("many-paths-ns-gradient", "Many Paths", "Figure 1", "10_wgan_paper",
       "The non-saturating GAN \"does not suffer from vanishing gradients when applied to two widely separated "
       "Gaussian distributions\", \"even when the discriminator is optimal\"."),
    _c("many-paths-ns-gan-converges", "Many Paths", "Synthetic experiments I and II", "11_many_paths_synthetic",
       "The non-saturating GAN converges to the 1-D data manifold where JS minimisation predicts failure."),
    _c("many-paths-penalties-robust", "Many Paths", "Figures 5-6 (hyperparameter sensitivity)",
       "11_many_paths_synthetic",
       "Gradient penalties (GAN-GP, DRAGAN-NS) reduce the NS-GAN's spread across learning rates and dimensions."),
    _c("many-paths-penalties-tie", "Many Paths", "Figures 5-6 (hyperparameter sensitivity)", "11_many_paths_synthetic",
       "\"For certain hyperparameter settings, there is no performance difference between the two gradient penalties "
       "for the non-saturating GAN [...] especially visible in Experiment 1, when the number of latent variables is "
       "1.\""),
    _c("many-paths-wgan-robust", "Many Paths", "Figures 5-6 (hyperparameter sensitivity)", "11_many_paths_synthetic",
       "Both WGAN variants are robust across learning rates and dimensions."),
    _c("many-paths-real-penalties-robust", "Many Paths", "Section 5 (real data)", "13_many_paths_real_data",
       "\"Both gradient penalties help when training non-saturating GANs, by making the models more robust to "
       "hyperparameters.\""),
    _c("many-paths-real-penalties-best", "Many Paths", "Section 5 (real data)", "13_many_paths_real_data",
       "\"Even if we are only interested in the best results (without looking across the hyperparameter sweep), we "
       "see that the gradient penalties tend to improve results for non-saturating GANs.\""),
    _c("many-paths-real-wgan-gp-critic", "Many Paths", "Section 5 (real data)", "13_many_paths_real_data",
       "\"When looking at the independent Wasserstein critic results, we see that the WGAN-GP models perform best "
       "on Color MNIST and CIFAR-10.\""),
    _c("many-paths-real-metrics-detect-collapse", "Many Paths", "Section 5 (real data)", "13_many_paths_real_data",
       "\"The sample diversity metric and the Independent Wasserstein critic detect mode collapse.\""),
)


def _table2() -> list[PaperNumber]:
    rows = {1.0: (0, 8, 192, 0), 3.0: (1, 88, 110, 1), 5.0: (0, 147, 42, 11), 7.0: (1, 104, 5, 90),
            9.0: (0, 0, 0, 200)}
    cols = ("only GAN", "only WGAN-GP", "both succeeded", "both failed")
    out = []
    for threshold, counts in rows.items():
        for col, count in zip(cols, counts):
            key = f"table2/{threshold:g}/{col.replace(' ', '_')}"
            out.append(PaperNumber(key, "Table 2", f"min. score {threshold:g}", col, float(count),
                                   notebook="07_random_architectures", unit="architectures of 200"))
    out.append(PaperNumber("table2/dcgan", "Table 2", "standard DCGAN (for comparison)", "Inception score", 7.24,
                           notebook="07_random_architectures"))
    return out


def _table3() -> list[PaperNumber]:
    nb = "04_cifar_scores"
    others = [
        ("unsupervised", "ALI (in Warde-Farley & Bengio)", 5.34, 0.05),
        ("unsupervised", "BEGAN", 5.62, None),
        ("unsupervised", "DCGAN (in Huang et al.)", 6.16, 0.07),
        ("unsupervised", "Improved GAN (-L+HA)", 6.86, 0.06),
        ("unsupervised", "EGAN-Ent-VI", 7.07, 0.10),
        ("unsupervised", "DFM", 7.72, 0.13),
        ("supervised", "SteinGAN", 6.35, None),
        ("supervised", "DCGAN (with labels, in Wang & Liu)", 6.58, None),
        ("supervised", "Improved GAN", 8.09, 0.07),
        ("supervised", "AC-GAN", 8.25, 0.07),
        ("supervised", "SGAN-no-joint", 8.37, 0.08),
        ("supervised", "SGAN", 8.59, 0.12),
    ]
    out = [
        PaperNumber("table3/unsupervised/wgan-gp", "Table 3", "WGAN-GP ResNet, unsupervised", "Inception score",
                    7.86, 0.07, notebook=nb),
        PaperNumber("table3/supervised/wgan-gp", "Table 3", "WGAN-GP ResNet, supervised", "Inception score",
                    8.42, 0.10, notebook=nb),
    ]
    for setting, method, value, std in others:
        key = f"table3/{setting}/{method.split(' (')[0].lower().replace(' ', '-')}"
        out.append(PaperNumber(key, "Table 3", f"{method}, {setting}", "Inception score", value, std,
                               notebook=nb, ours_expected=False))
    return out


#: The generated sentences of Table 4 (WGAN-GP, 1-D CNN, Billion Word), two columns of the paper read row by row.
TABLE4_PAPER_SAMPLES: tuple[str, ...] = (
    "Busino game camperate spent odea", "In the bankaway of smarling the", "SingersMay , who kill that imvic",
    "Keray Pents of the same Reagun D", "Manging include a tudancs shat \"", "His Zuith Dudget , the Denmbern",
    "In during the Uitational questio", "Divos from The 'noth ronkies of", "She like Monday , of macunsuer S",
    "Solice Norkedin pring in since", "ThiS record (31.) UBS) and Ch", "It was not the annuas were plogr",
    "This will be us , the ect of DAN", "These leaded as most-worsd p2 a0", "The time I paidOa South Cubry i",
    "Dour Fraps higs it was these del", "This year out howneed allowed lo", "Kaulna Seto consficutes to repor",
)

NUMBERS: tuple[PaperNumber, ...] = (
    *_table2(),
    *_table3(),
    PaperNumber("table4/samples", "Table 4", "WGAN-GP 1-D CNN samples", "sample sentences",
                float(len(TABLE4_PAPER_SAMPLES)), notebook="09_language_model", unit="sentences",
                extra={"samples": TABLE4_PAPER_SAMPLES}),
)


def claims_for(notebook: str) -> list[PaperClaim]:
    """The catalogued claims a notebook decides."""
    return [c for c in CLAIMS if c.notebook == notebook]


def claim(id: str) -> PaperClaim:
    """The catalogued claim ``id`` (its paper, figure and statement); ``ValueError`` listing the ids otherwise."""
    for c in CLAIMS:
        if c.id == id:
            return c
    raise ValueError(f"claim id must be one of {[c.id for c in CLAIMS]}, got {id!r}")


def notebook(stem: str) -> Notebook:
    """The catalogue entry of notebook ``stem``; ``ValueError`` listing the notebooks otherwise."""
    if stem not in NOTEBOOKS:
        raise ValueError(f"notebook must be one of {sorted(NOTEBOOKS)}, got {stem!r}")
    return NOTEBOOKS[stem]


def figures_for(notebook: str) -> list[PaperFigure]:
    """The paper figures a notebook reproduces, in paper order."""
    return [f for f in FIGURES if f.notebook == notebook]


def number(key: str) -> PaperNumber:
    """The paper number with this key; ``ValueError`` listing the keys otherwise."""
    for n in NUMBERS:
        if n.key == key:
            return n
    raise ValueError(f"comparison key must be one of {[n.key for n in NUMBERS]}, got {key!r}")


def _check(items: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item in seen:  # pragma: no cover - guards the literal tables above
            raise RuntimeError(f"duplicate {what} {item!r} in gpkit.catalog")
        seen.add(item)


_check((f.key for f in FIGURES), "figure key")
_check((c.id for c in CLAIMS), "claim id")
_check((n.key for n in NUMBERS), "number key")
