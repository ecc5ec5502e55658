"""The findings of the paper and depth-scaling studies, computed from their tables.

Every number and every agree/disagree verdict in docs/results/README.md comes
from a function here, applied to the per-point tables of study_tables.py; the
prose around them is in study_report.py and the study_page_*.py modules, which
only format. The paper's claims are here; the open questions' findings are in
study_findings_depth.py and the table basics in study_stats.py, both
re-exported. paper_findings and depth_findings compute everything once, for the
page and the README summary alike. Accuracies are the best validation
accuracy over a point's epochs, summarised over seeds as mean and sample
standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# The shared table basics and the open questions' findings live in their own modules; they
# are re-exported so that this module names every finding the page reports.
from .study_findings_depth import (  # noqa: F401
    DepthFindings, DepthPerLayer, InitGradients, LayerAttenuation, LayerCount, LayerSeries,
    best_depths, depth_effect, depth_findings, depth_per_layer, depth_series, encoding_gap,
    init_gradients, init_variance, layer_count, layer_count_findings, paper_setting_ratio,
    variance_decay)
from .study_stats import (  # noqa: F401
    LAYER_COLUMNS, REGIMES, RunSizes, experiments, grid_points, regime, run_sizes, seed_stats,
    with_regime)

#: The residual wirings of the paper, in its order.
PAPER_WIRINGS = ["none", "X+O1", "X+O2", "O1+O2", "(X+O1)+O2"]
#: The wirings with which, per the paper, gradients reach both layers.
PAPER_FULL_REACH = {"O1+O2", "(X+O1)+O2"}
#: The paper's best wiring and its reported relative improvement range (%).
PAPER_BEST = "(X+O1)+O2"
PAPER_IMPROVEMENT = (31.0, 45.0)


# --- the paper's claims -----------------------------------------------------------------------


@dataclass
class Comparison:
    """Trainable (barrier) vs frozen for one experiment."""
    experiment: str
    wins: int
    total: int
    gain_mean: float  # percentage points
    gain_min: float
    gain_max: float
    largest: str        # the wiring with the largest gain
    frozen_best: float  # the best frozen wiring's accuracy


def trainable_vs_frozen(paper: pd.DataFrame) -> list:
    out = []
    for title, rows in experiments(paper):
        s = seed_stats(rows, ["residual", "regime"]).pivot(index="residual", columns="regime",
                                                           values="mean")
        gain = 100 * (s["trainable, barrier"] - s["frozen"])
        out.append(Comparison(title, int((gain > 0).sum()), int(gain.size), float(gain.mean()),
                              float(gain.min()), float(gain.max()), str(gain.idxmax()),
                              float(s["frozen"].max())))
    return out


def gradient_reach(paper: pd.DataFrame) -> pd.DataFrame:
    """Per experiment x regime x wiring: which layers' gradients were never/always zero.

    A layer is 'reached' when its gradient norm was non-zero in every traced
    step of every seed, 'cut' when it was exactly zero in all of them.
    """
    rows = []
    for title, t in experiments(paper):
        layers = int(t["layers"].iloc[0])
        for (reg, wiring), g in t.groupby(["regime", "residual"], sort=False):
            if reg == "frozen":
                continue
            row = {"experiment": title, "regime": reg, "residual": wiring}
            for k in range(1, layers + 1):
                zero = g[f"zero_QCL{k}"]
                row[f"QCL{k}"] = ("reached" if (zero == 0).all()
                                  else "cut" if (zero == 1).all() else "partly")
                row[f"gmean_QCL{k}"] = float(g[f"gmean_QCL{k}"].mean())
                row[f"g0_QCL{k}"] = float(g[f"g0_QCL{k}"].mean())
            row["all_reached"] = all(row[f"QCL{k}"] == "reached" for k in range(1, layers + 1))
            rows.append(row)
    return pd.DataFrame(rows)


def accuracy_table(paper: pd.DataFrame) -> pd.DataFrame:
    """experiment, residual, regime, mean, std, n."""
    frames = []
    for title, rows in experiments(paper):
        s = seed_stats(rows, ["residual", "regime"])
        s.insert(0, "experiment", title)
        frames.append(s)
    return pd.concat(frames, ignore_index=True)


@dataclass
class Ranking:
    experiment: str
    regime: str
    order: list   # wirings, best first
    means: dict   # wiring -> mean
    stds: dict
    best: str
    paper_best_rank: int  # 1-based rank of PAPER_BEST among this experiment's wirings (0: absent)
    tied_with_best: list  # wirings within one std (of the best) of the best mean


def rankings(paper: pd.DataFrame, regimes: tuple = ("trainable, barrier",)) -> list:
    out = []
    acc = accuracy_table(paper)
    for (experiment, reg), s in acc.groupby(["experiment", "regime"], sort=False):
        if reg not in regimes:
            continue
        s = s.sort_values("mean", ascending=False)
        order = list(s["residual"])
        means = dict(zip(s["residual"], s["mean"]))
        stds = dict(zip(s["residual"], s["std"]))
        best = order[0]
        tied = [w for w in order[1:] if means[best] - means[w] <= stds[best]]
        rank = order.index(PAPER_BEST) + 1 if PAPER_BEST in order else 0
        out.append(Ranking(experiment, reg, order, means, stds, best, rank, tied))
    return out


@dataclass
class Improvement:
    experiment: str
    regime: str
    best: str
    best_mean: float
    none_mean: float
    relative: float  # % over none
    points: float    # percentage points


def improvements(paper: pd.DataFrame, regimes: tuple = REGIMES) -> list:
    """The best wiring's accuracy relative to the plain chain (none), per experiment and regime."""
    out = []
    acc = accuracy_table(paper)
    for (experiment, reg), s in acc.groupby(["experiment", "regime"], sort=False):
        if reg not in regimes:
            continue
        means = dict(zip(s["residual"], s["mean"]))
        if "none" not in means:
            continue
        best = max((w for w in means if w != "none"), key=means.get)
        out.append(Improvement(experiment, reg, best, means[best], means["none"],
                               100 * (means[best] / means["none"] - 1),
                               100 * (means[best] - means["none"])))
    return out


@dataclass
class Attenuation:
    """In full mode: QCL1's gradient at initialisation, plain chain vs best wiring."""
    experiment: str
    none_g0: float
    best: str
    best_g0: float
    ratio: float  # best / none


def full_mode_attenuation(reach: pd.DataFrame, wirings: dict) -> list:
    """QCL1's initial gradient in full mode: plain chain vs `wirings[experiment]`.

    `reach` is gradient_reach's table."""
    out = []
    for experiment, r in reach[reach["regime"] == "trainable, full"].groupby("experiment",
                                                                               sort=False):
        by = r.set_index("residual")
        best = wirings.get(experiment)
        if "none" not in by.index or best not in by.index:
            continue
        none_g0, best_g0 = float(by.loc["none", "g0_QCL1"]), float(by.loc[best, "g0_QCL1"])
        out.append(Attenuation(experiment, none_g0, best, best_g0, best_g0 / none_g0))
    return out


# --- the paper's claims, one verdict each ------------------------------------------------------


def _two_layer(experiment: str) -> bool:
    return experiment.startswith("2 layers")


@dataclass
class TrainableClaim:
    """Claim 1: trainable layers beat frozen ones."""
    comparisons: list  # trainable_vs_frozen
    wins: int          # wirings where trainable wins, over every experiment
    total: int
    agree: bool        # trainable wins in every wiring of every experiment


def trainable_claim(comparisons: list) -> TrainableClaim:
    """Claim 1's verdict from trainable_vs_frozen's comparisons."""
    return TrainableClaim(comparisons, sum(c.wins for c in comparisons),
                          sum(c.total for c in comparisons),
                          all(c.wins == c.total for c in comparisons))


@dataclass
class ReachClaim:
    """Claim 2: with two layers exactly PAPER_FULL_REACH lets gradients reach every layer."""
    two_layer: list      # wirings reaching every layer, 2 layers, barrier mode; sorted
    three_layer: list    # the same with 3 layers, in table order
    agree: bool          # two_layer is PAPER_FULL_REACH
    table: pd.DataFrame  # barrier mode, one row per layer count ("2 layers") x wiring:
    layer_columns: list  # layers, residual, and these (QCLk: reached / cut / partly / NaN)
    full_reached: int    # rows of full mode with every layer reached
    full_total: int
    full_all: bool       # every layer of every wiring reached in full mode


def reach_claim(reach: pd.DataFrame) -> ReachClaim:
    """Claim 2's verdict from gradient_reach's table."""
    barrier = reach[reach["regime"] == "trainable, barrier"]
    two = barrier[barrier["experiment"].str.startswith("2 layers")]
    reached = set(two[two["all_reached"]]["residual"])
    three = barrier[barrier["experiment"].str.startswith("3 layers")]
    layer_cols = [c for c in LAYER_COLUMNS if c in barrier.columns]
    # The heads of one layer count share their reach (it depends on the wiring and the
    # gradient mode only), so the table keeps each layer count's first experiment.
    table = barrier.assign(layers=barrier["experiment"].str.split(",").str[0])
    table = table.drop_duplicates(["layers", "residual"])[["layers", "residual", *layer_cols]]
    full = reach[reach["regime"] == "trainable, full"]
    return ReachClaim(sorted(reached), list(dict.fromkeys(three[three["all_reached"]]["residual"])),
                      reached == PAPER_FULL_REACH, table, layer_cols,
                      int(full["all_reached"].sum()), len(full), bool(full["all_reached"].all()))


@dataclass
class BestClaim:
    """Claim 3: PAPER_BEST is the best wiring (trainable layers, barrier gradients)."""
    rankings: list          # rankings, every experiment
    two_layer: list         # those of the two-layer experiments
    agree: bool             # PAPER_BEST ranks first in every two-layer experiment
    three_layer_best: str | None  # the best wiring of a 3-layer experiment won by another one


def best_claim(ranks: list) -> BestClaim:
    """Claim 3's verdict from rankings (barrier gradients)."""
    two = [r for r in ranks if _two_layer(r.experiment)]
    three = [r.best for r in ranks if r.experiment.startswith("3") and r.best != PAPER_BEST]
    return BestClaim(ranks, two, all(r.paper_best_rank == 1 for r in two),
                     three[-1] if three else None)


@dataclass
class ImprovementClaim:
    """Claim 4: the best wiring is PAPER_IMPROVEMENT % better than the plain chain."""
    improvements: list  # improvements, every experiment x regime
    barrier: list       # those in the paper's setting (trainable, barrier)
    full: list          # those with trainable layers, full gradients
    inside: list        # barrier ones within PAPER_IMPROVEMENT
    agree: bool         # every barrier one within PAPER_IMPROVEMENT
    largest: Improvement  # the largest relative improvement of all
    anywhere: list      # every improvement within PAPER_IMPROVEMENT, any regime
    wins: int           # pairs where the best wiring beats the plain chain


def improvement_claim(imps: list) -> ImprovementClaim:
    """Claim 4's verdict from improvements (every regime)."""
    lo, hi = PAPER_IMPROVEMENT
    barrier = [i for i in imps if i.regime == "trainable, barrier"]
    inside = [i for i in barrier if lo <= i.relative <= hi]
    return ImprovementClaim(imps, barrier, [i for i in imps if i.regime == "trainable, full"],
                            inside, len(inside) == len(barrier),
                            max(imps, key=lambda i: i.relative),
                            [i for i in imps if lo <= i.relative <= hi],
                            sum(i.points > 0 for i in imps))


@dataclass
class FullModeClaim:
    """Claim 5: measured layers lose the gradient -- tested with exact (`full`) gradients."""
    barrier: dict        # experiment -> its barrier-mode Improvement
    attenuation: list    # full_mode_attenuation against each experiment's barrier-mode best
    helps: bool          # in full mode the best wiring beats the plain chain everywhere
    smaller: bool        # ... by less than in barrier mode everywhere
    larger_initial: int  # experiments where that wiring gives QCL1 a larger initial gradient


def full_mode_claim(reach: pd.DataFrame, imp: ImprovementClaim) -> FullModeClaim:
    """Claim 5's findings beyond the reach counts (ReachClaim.full_*)."""
    barrier = {i.experiment: i for i in imp.barrier}
    att = full_mode_attenuation(reach, {i.experiment: i.best for i in imp.barrier})
    return FullModeClaim(barrier, att, all(i.points > 0 for i in imp.full),
                         all(i.points < barrier[i.experiment].points for i in imp.full),
                         len([a for a in att if a.ratio > 1]))


# --- everything the page reports on the paper sweep, computed once ------------------------


@dataclass
class PaperFindings:
    """The paper sweep's findings: its tables and one verdict per claim of the paper."""
    comparisons: list  # trainable_vs_frozen
    reach: pd.DataFrame  # gradient_reach
    rankings: list  # rankings, barrier gradients
    improvements: list  # improvements, every regime
    accuracy: pd.DataFrame  # accuracy_table
    trainable: TrainableClaim  # claim 1
    reached: ReachClaim  # claim 2
    best: BestClaim  # claim 3
    improvement: ImprovementClaim  # claim 4
    full_mode: FullModeClaim  # claim 5
    grids: list  # grid_points
    sizes: RunSizes


def paper_findings(paper: pd.DataFrame) -> PaperFindings:
    """Everything the page and the README summary report on the paper sweep's table."""
    comps, reach, ranks, imps = (trainable_vs_frozen(paper), gradient_reach(paper),
                                 rankings(paper), improvements(paper))
    imp = improvement_claim(imps)
    return PaperFindings(comps, reach, ranks, imps, accuracy_table(paper), trainable_claim(comps),
                         reach_claim(reach), best_claim(ranks), imp, full_mode_claim(reach, imp),
                         grid_points(paper), run_sizes(paper))
