"""docs/results/: the findings of the paper and depth-scaling studies, with figures.

`write_results(tables_dir, out_dir)` reads the per-point tables
(study_tables.py), computes the findings (study_findings.py) and writes
README.md and its PNG figures into `out_dir`. The prose is fixed here; every
number, table and agree/disagree verdict in it is computed from the tables,
so re-running the sweeps and this function regenerates the whole page.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from . import study_findings as sf
from .errors import DataError
from .figures import colors, new_figure, save_figure
from .study_tables import read_table

PAPER_COMMAND = ("mpirun -n 2 build/bin/resqunn sweep run examples/paper.toml "
                 "-o results/paper.h5")
DEPTH_COMMAND = ("mpirun -n 2 build/bin/resqunn sweep run examples/depth_scaling.toml "
                 "-o results/depth_scaling.h5")
REGENERATE = "scripts/results.sh"

FIGURES = {
    "accuracy": "paper_accuracy.png",
    "reach": "paper_gradients.png",
    "depth": "depth_per_layer.png",
    "layers": "layer_count.png",
    "init": "init_gradients.png",
}


# --- formatting -------------------------------------------------------------------------------


def acc(mean: float, std: float | None = None) -> str:
    """'91.4 ± 0.4 %' (accuracies as percentages)."""
    if mean is None or not np.isfinite(mean):
        return "–"
    text = f"{100 * mean:.1f}"
    if std is not None and np.isfinite(std):
        text += f" ± {100 * std:.1f}"
    return text + " %"


def pp(value: float) -> str:
    return f"{value:+.1f} pp"


def md_table(header: list, rows: list) -> str:
    def cell(v) -> str:
        return str(v).replace("|", "\\|")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def code(text: str) -> str:
    return f"`{text}`"


def minutes(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "unknown"
    return f"{seconds / 60:.1f} min ({seconds:.0f} s)"


def verdict(agree: bool) -> str:
    return "**We agree.**" if agree else "**We do not agree.**"


# --- figures ----------------------------------------------------------------------------------


def accuracy_figure(paper: pd.DataFrame):
    """Bars: best validation accuracy per wiring, per training regime, per experiment."""
    exps = sf.experiments(paper)
    fig = new_figure(5.2 * len(exps), 4.0)
    axes = np.atleast_1d(fig.subplots(1, len(exps)))
    palette = dict(zip(sf.REGIMES, colors(len(sf.REGIMES))))
    for ax, (title, rows) in zip(axes, exps):
        s = sf.seed_stats(rows, ["residual", "regime"])
        wirings = list(dict.fromkeys(rows["residual"]))
        x = np.arange(len(wirings))
        width = 0.8 / len(sf.REGIMES)
        for i, reg in enumerate(sf.REGIMES):
            r = s[s["regime"] == reg].set_index("residual").reindex(wirings)
            ax.bar(x + (i - 1) * width, 100 * r["mean"], width, yerr=100 * r["std"].fillna(0),
                   color=palette[reg], label=reg, capsize=2)
        ax.set_xticks(x, wirings, rotation=30, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("best validation accuracy (%)")
        ax.set_ylim(0, 100)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    return _finish(fig, "ResQuNN on MNIST: residual wiring x training regime (mean ± std over "
                   "seeds)")


def reach_figure(reach: pd.DataFrame):
    """Heat-map: mean gradient norm per layer over training, per wiring, barrier vs full."""
    regimes = ["trainable, barrier", "trainable, full"]
    layers = [c for c in sf.LAYER_COLUMNS if c in reach.columns]
    fig = new_figure(3.4 * len(regimes) + 1.2, 0.9 + 0.42 * len(reach) / len(regimes))
    axes = np.asarray(fig.subplots(1, len(regimes), squeeze=False))[0]
    values = reach[[c for c in reach.columns if c.startswith("gmean_")]].to_numpy(float)
    positive = values[np.isfinite(values) & (values > 0)]
    from matplotlib.colors import LogNorm
    norm = LogNorm(vmin=positive.min(), vmax=positive.max())
    for ax, reg in zip(axes, regimes):
        r = reach[reach["regime"] == reg]
        labels = [f"{e}: {w}" for e, w in zip(r["experiment"], r["residual"])]
        grid = np.full((len(r), len(layers)), np.nan)
        for j, layer in enumerate(layers):
            column = f"gmean_{layer}"
            if column in r.columns:
                grid[:, j] = r[column].to_numpy(float)
        masked = np.ma.masked_where(~np.isfinite(grid) | (grid <= 0), grid)
        ax.imshow(masked, aspect="auto", cmap="viridis", norm=norm)
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                v = grid[i, j]
                if np.isfinite(v) and v == 0:
                    ax.add_patch(_cell(j, i, "#9e9e9e"))
                    ax.text(j, i, "0", ha="center", va="center", fontsize=7, color="white")
                elif np.isfinite(v):
                    ax.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=6,
                            color="white" if norm(v) < 0.6 else "black")
        ax.set_xticks(range(grid.shape[1]), layers, fontsize=8)
        ax.set_yticks(range(len(labels)), labels if ax is axes[0] else [""] * len(labels),
                      fontsize=7)
        ax.set_title(f"gradient mode: {reg.split(', ')[1]}", fontsize=10)
    return _finish(fig, "mean gradient norm per layer over training (grey 0: exactly zero in "
                   "every step)")


def _finish(fig, title: str):
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def _log_grid(ax, xlabel: str) -> None:
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3, which="both")


def _cell(x: int, y: int, color: str):
    from matplotlib.patches import Rectangle
    return Rectangle((x - 0.5, y - 0.5), 1, 1, color=color)


def depth_figure(series: pd.DataFrame):
    fig = new_figure(10, 3.8)
    axes = fig.subplots(1, 2, sharey=True)
    keys = list(dict.fromkeys(zip(series["residual"], series["encoding"])))
    palette = dict(zip(keys, colors(len(keys))))
    for ax, layer in zip(axes, ["QCL1", "QCL2"]):
        s = series[series["layer"] == layer]
        for key in keys:
            r = s[(s["residual"] == key[0]) & (s["encoding"] == key[1])]
            ax.errorbar(r["depth"], 100 * r["mean"], yerr=100 * r["std"].fillna(0), marker="o", ms=3,
                        capsize=2, color=palette[key], label=f"{key[0]}, {key[1]}")
        other = "QCL2 = 1" if layer == "QCL1" else "QCL1 = 4"
        ax.set_title(f"{layer} depth varied ({other})", fontsize=10)
        ax.set_xlabel(f"{layer} ansatz depth")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("best validation accuracy (%)")
    axes[1].legend(fontsize=8, title="wiring, encoding", title_fontsize=8)
    return _finish(fig, "(a) ansatz depth per layer, 2 layers, barrier gradients")


def layers_figure(lc: pd.DataFrame):
    fig = new_figure(14, 3.8)
    axes = fig.subplots(1, 3)
    keys = list(dict.fromkeys(zip(lc["wiring"], lc["gradient_mode"])))
    palette = dict(zip(keys, colors(len(keys))))
    for ax, enc in zip(axes[:2], ["angle", "amplitude"]):
        s = lc[lc["encoding"] == enc]
        for key in keys:
            r = s[(s["wiring"] == key[0]) & (s["gradient_mode"] == key[1])]
            ax.errorbar(r["layers"], 100 * r["mean"], yerr=100 * r["std"].fillna(0), marker="o", ms=3,
                        capsize=2, color=palette[key], label=f"{key[0]}, {key[1]}")
        ax.set_title(f"accuracy, {enc} encoding", fontsize=10)
        ax.set_xlabel("quanvolution layers")
        ax.set_ylabel("best validation accuracy (%)")
        ax.set_xticks(sorted(lc["layers"].unique()))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, title="wiring, gradients", title_fontsize=7)
    ax = axes[2]
    for enc, style in (("angle", "-"), ("amplitude", "--")):
        for key in keys:
            r = lc[(lc["encoding"] == enc) & (lc["wiring"] == key[0]) &
                   (lc["gradient_mode"] == key[1])]
            r = r[r["g0_QCL1"] > 0]
            if r.empty:
                continue
            ax.plot(r["layers"], r["g0_QCL1"], style, marker="o", ms=3, color=palette[key],
                    label=f"{key[0]}, {key[1]}, {enc}")
    _log_grid(ax, "quanvolution layers")
    ax.set_title("QCL1 gradient norm at initialisation", fontsize=10)
    ax.set_xticks(sorted(lc["layers"].unique()))
    ax.legend(fontsize=6)
    return _finish(fig, "(b, c) layer count: plain chain vs every earlier output summed in "
                   "(zero gradients are not drawn)")


def init_figure(var: pd.DataFrame):
    fig = new_figure(10, 3.8)
    axes = fig.subplots(1, 2)
    series = list(dict.fromkeys(zip(var["encoding"], var["qubits"], var["kernel"])))
    palette = dict(zip(series, colors(len(series))))
    ax = axes[0]
    for key in series:
        r = var[(var["encoding"] == key[0]) & (var["qubits"] == key[1]) &
                (var["kernel"] == key[2])]
        ax.errorbar(r["depth"], r["var"], yerr=r["var_sem"].fillna(0), marker="o", ms=3, capsize=2,
                    ls="-" if key[0] == "angle" else "--", color=palette[key],
                    label=f"{key[0]}, {_qubits(key[1])} ({key[2]}x{key[2]})")
    ax.set_xscale("log", base=2)
    _log_grid(ax, "ansatz depth")
    ax.set_ylabel("Var[dL/dθ] of QCL1 at initialisation")
    ax.legend(fontsize=7)
    ax = axes[1]
    depths = sorted(var["depth"].unique())
    dpal = dict(zip(depths, colors(len(depths))))
    for enc, style in (("angle", "-"), ("amplitude", "--")):
        for d in depths:
            r = var[(var["encoding"] == enc) & (var["depth"] == d)].sort_values("qubits")
            ax.plot(r["qubits"], r["var"], style, marker="o", ms=3, color=dpal[d],
                    label=f"depth {d}" if enc == "angle" else None)
    _log_grid(ax, "qubits (solid: angle, dashed: amplitude)")
    ax.legend(fontsize=7)
    return _finish(fig, "(d) gradient variance at initialisation vs depth and qubit count "
                   "(mean over seeds, ± s.e.m.)")


# --- the page ---------------------------------------------------------------------------------


#: The generated "Results" section of the repository's README.md lies between these.
SUMMARY_BEGIN = "<!-- results summary: generated by scripts/results.sh, do not edit -->"
SUMMARY_END = "<!-- end of results summary -->"


def write_results(tables_dir: Path, out_dir: Path, readme: Path | None = None) -> Path:
    """Writes README.md and the figures into `out_dir`; returns README.md's path.

    With `readme` (the repository's README.md), also replaces its text between
    SUMMARY_BEGIN and SUMMARY_END with a summary of the findings.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paper, paper_meta = read_table(tables_dir, "paper")
    depth, depth_meta = read_table(tables_dir, "depth_scaling")

    pf, df = sf.paper_findings(paper), sf.depth_findings(depth)
    for key, fig in (("accuracy", accuracy_figure(paper)), ("reach", reach_figure(pf.reach)),
                     ("depth", depth_figure(df.series)),
                     ("layers", layers_figure(df.layer_count)),
                     ("init", init_figure(df.variance))):
        save_figure(fig, out_dir / FIGURES[key])

    rel = Path(os.path.relpath(Path(tables_dir).resolve(), out_dir.resolve()))
    parts = [
        _intro(paper, paper_meta, depth, depth_meta, rel),
        _paper_section(pf),
        _open_questions(depth, df),
        _limits(paper),
    ]
    page = out_dir / "README.md"
    page.write_text(reflow("\n\n".join(parts)).rstrip() + "\n")
    if readme is not None:
        link = Path(os.path.relpath(out_dir.resolve(), readme.resolve().parent))
        replace_summary(readme, summary(pf, paper_meta, df, depth_meta, link))
    return page


def replace_summary(readme: Path, text: str) -> None:
    """Puts `text` between the summary markers of `readme` (which must have both, in order)."""
    old = readme.read_text()
    begin, end = old.find(SUMMARY_BEGIN), old.find(SUMMARY_END)
    if begin < 0 or end < begin:
        raise DataError(f"{readme}: no results summary markers; put the lines\n{SUMMARY_BEGIN}"
                        f"\n{SUMMARY_END}\nwhere the summary belongs")
    head = old[:begin + len(SUMMARY_BEGIN)]
    readme.write_text(head + "\n" + reflow(text).strip() + "\n" + old[end:])


def summary(pf: sf.PaperFindings, paper_meta: dict, df: sf.DepthFindings, depth_meta: dict,
            link: Path) -> str:
    """A few lines for the repository's README: verdicts with their key numbers."""
    comps, reach = pf.comparisons, pf.reach
    two = reach[(reach["regime"] == "trainable, barrier") &
                reach["experiment"].str.startswith("2 layers")]
    reached = sorted(set(two[two["all_reached"]]["residual"]))
    ranks = [r for r in pf.rankings if r.experiment.startswith("2 layers")]
    imps = [i for i in pf.improvements if i.regime == "trainable, barrier"]
    full = [i for i in pf.improvements if i.regime == "trainable, full"]
    full_reach = reach[reach["regime"] == "trainable, full"]["all_reached"].all()
    decay = df.decay
    deepest = decay[decay["depth"] == decay["depth"].max()]
    agree_frozen = all(c.wins == c.total for c in comps)
    agree_reach = set(reached) == sf.PAPER_FULL_REACH
    paper_ratio = sf.paper_setting_ratio(df.effect)
    lines = [
        f"Two committed study sweeps reproduce the ResQuNN paper's experiments and probe what it "
        f"leaves open ([`{link}/README.md`]({link}/README.md): every claim, our verdict, the "
        f"numbers, figures, commands; {paper_meta['done']} + {depth_meta['done']} points, "
        f"{minutes(paper_meta['wall_s'])} + {minutes(depth_meta['wall_s'])} on 2 cores):",
        "",
        f"- **Trainable beats frozen** in {sum(c.wins for c in comps)} of "
        f"{sum(c.total for c in comps)} wirings (mean gains "
        f"{', '.join(pp(c.gain_mean) for c in comps)}): "
        f"{'as the paper says' if agree_frozen else 'not everywhere, unlike the paper'}.",
        f"- **Gradient reach** with the paper's `barrier` gradients: both layers learn only with "
        f"{' and '.join(code(w) for w in reached)}"
        f"{', as the paper says' if agree_reach else ', unlike the paper'}; the best wiring is "
        f"{', '.join(f'{code(r.best)} ({r.experiment})' for r in ranks)}.",
        f"- **Size of the gain** of the best wiring over the plain chain: "
        f"{', '.join(f'{i.relative:+.0f} % ({i.experiment})' for i in imps)}; the paper reports "
        f"{sf.PAPER_IMPROVEMENT[0]:.0f}–{sf.PAPER_IMPROVEMENT[1]:.0f} %.",
        "- **With exact gradients** (`full`) "
        + (f"every layer of every wiring trains and the gain shrinks to "
           f"{', '.join(f'{i.relative:+.0f} %' for i in full)}: the gradient loss comes from "
           f"treating measured outputs as data, not from measurement."
           if full_reach else "some layers still get no gradient."),
        f"- **Gradient variance at initialisation** of one layer is multiplied by "
        f"{', '.join(f'{r.factor_per_qubit:.2f} ({r.encoding})' for r in deepest.itertuples())} "
        f"per added qubit at depth {int(deepest['depth'].iloc[0]) if not deepest.empty else '–'}"
        + (f"; at the paper's 4 qubits it changes by ×{paper_ratio:.2g} from depth "
           f"{int(decay['depth'].min())} to {int(decay['depth'].max())}."
           if np.isfinite(paper_ratio) else "."),
        "",
        f"![Best validation accuracy per residual wiring and training regime]"
        f"({link}/{FIGURES['accuracy']})",
    ]
    return "\n".join(lines)


def reflow(markdown: str, width: int = 95) -> str:
    """Re-wraps the prose paragraphs of `markdown` (the f-strings above break lines where
    the code does, not where the text does); tables, code, images, headings and lists stay."""
    out = []
    in_code = False
    for block in markdown.split("\n\n"):
        if block.startswith("```") or in_code:
            in_code = (block.count("```") % 2 == 1) != in_code
            out.append(block)
            continue
        if block.lstrip().startswith(("|", "![", "#", "<!--")):
            out.append(block)
            continue
        if block.startswith("- "):  # a list: wrap each item, continuation lines indented
            items = ("\n" + block).split("\n- ")[1:]
            out.append("\n".join(
                textwrap.fill(" ".join(item.split()), width=width, initial_indent="- ",
                              subsequent_indent="  ", break_on_hyphens=False,
                              break_long_words=False) for item in items))
            continue
        text = " ".join(line.strip() for line in block.splitlines())
        out.append(textwrap.fill(text, width=width, break_on_hyphens=False,
                                 break_long_words=False))
    return "\n\n".join(out)


def _sizes(t: pd.DataFrame, grids: list | None = None) -> str:
    rows = t if grids is None else t[t["grid"].isin(grids)]
    train = sorted(rows["train_images"].unique())
    epochs = sorted(rows["epochs_planned"].unique())
    plural = "s" if epochs != [1] else ""
    return (f"{'/'.join(f'{int(v):,}' for v in train)} training images, "
            f"{'/'.join(str(int(v)) for v in epochs)} epoch{plural}")


def _intro(paper, paper_meta, depth, depth_meta, tables) -> str:
    rows = []
    for name, spec, t, meta, command in (
            ("paper", "examples/paper.toml", paper, paper_meta, PAPER_COMMAND),
            ("depth_scaling", "examples/depth_scaling.toml", depth, depth_meta, DEPTH_COMMAND)):
        grids = ", ".join(f"{g} ({n})" for g, n in t.groupby("grid", sort=False).size().items())
        rows.append([f"[`{spec}`](../../{spec})", f"{meta['done']} ({grids})",
                     minutes(meta["wall_s"]), f"{meta['mpi_size']}", code(command)])
    host = paper_meta.get("host", "")
    sha = str(paper_meta.get("git_sha", ""))[:12]
    if any(int(m.get("git_dirty", 0) or 0) for m in (paper_meta, depth_meta)):
        sha += "` with uncommitted changes, `"
    return f"""# Results: the ResQuNN paper's claims, and the questions it leaves open

This page is generated by `{REGENERATE}` from the per-point tables in
[`{tables}/`]({tables}/) (CSV, one row per trained point, extracted from the sweeps' HDF5
results files by `resqunn_analysis studies`). Nothing on it is typed by hand except the
prose: every number and every verdict is computed from those tables
(`analysis/resqunn_analysis/study_findings.py`).

The paper is Kashif & Shafique, *ResQuNNs: Towards Enabling Deep Learning in Quantum
Convolution Neural Networks*, arXiv:2402.09146. Its claims, as we test them: trainable
quanvolution layers beat frozen ones; in a stack of quanvolution layers gradients reach only
the last one unless residual connections carry earlier outputs onward, and only some
placements do that; `(X+O1)+O2` is the best placement, about 31–45 % better in accuracy.

## The runs

Both sweeps ran on this project's 2-core development machine (host `{host}`, resqunn `{sha}`),
{paper_meta['mpi_size']} MPI ranks of one thread each, MNIST at 14x14. Wall times are the sweeps' own (start to end, from the
results files):

{md_table(["sweep", "points (grid: points)", "wall time", "ranks", "command"], rows)}

Sizes (ours, the paper trains on small MNIST subsets too): paper sweep {_sizes(paper)};
depth sweep {_sizes(depth, ["depth-per-layer", "layer-count"])} for the trained grids, one
step on 32 images for `init-gradients`. Every point of a grid sees the same digits in the
same order; seeds vary the weight initialisation (`model.seed`). Accuracies are the best
validation accuracy over the epochs, mean ± standard deviation over seeds.

![accuracy per residual wiring and training regime]({FIGURES['accuracy']})"""


def _paper_section(pf: sf.PaperFindings) -> str:
    out = ["## The paper's claims, point by point"]
    reach = pf.reach

    # 1. trainable vs frozen
    comps = pf.comparisons
    agree = all(c.wins == c.total for c in comps)
    rows = [[c.experiment, f"{c.wins} of {c.total}", pp(c.gain_mean),
             f"{pp(c.gain_min)} … {pp(c.gain_max)}"] for c in comps]
    out.append(f"""### 1. Trainable vs frozen quanvolution layers

*Paper:* making the quanvolution layers trainable improves on the usual frozen (random,
untrained) layers. *Ours:* trainable layers (barrier gradients, as in the paper) against the
same wiring with frozen layers, where only the head learns:

{md_table(["experiment", "wirings where trainable wins", "mean gain", "range"], rows)}

{verdict(agree)} Trainable layers {"win in every wiring of every experiment" if agree else
"do not win everywhere"}. The largest gain is with {", ".join(
f"{code(c.largest)} ({c.experiment})" for c in comps)}; the frozen models themselves reach
{", ".join(f"{acc(c.frozen_best)} ({c.experiment})" for c in comps)} with their best wiring,
so a good part of a ResQuNN's accuracy comes from the head reading the raw image through the
residual sums, trainable layers or not.""")

    # 2. gradient reach
    barrier = reach[reach["regime"] == "trainable, barrier"]
    two = barrier[barrier["experiment"].str.startswith("2 layers")]
    reached = set(two[two["all_reached"]]["residual"])
    agree = reached == sf.PAPER_FULL_REACH
    three = barrier[barrier["experiment"].str.startswith("3 layers")]
    three_reached = list(dict.fromkeys(three[three["all_reached"]]["residual"]))
    layer_cols = [c for c in sf.LAYER_COLUMNS if c in barrier.columns]
    table_rows = []
    barrier = barrier.assign(layers_label=barrier["experiment"].str.split(",").str[0])
    for _, r in barrier.drop_duplicates(["layers_label", "residual"]).iterrows():
        exp = r["layers_label"]
        table_rows.append([exp, code(r["residual"])] +
                          [("–" if pd.isna(r[c]) else r[c]) for c in layer_cols])
    full = reach[reach["regime"] == "trainable, full"]
    out.append(f"""### 2. Which residual wirings let gradients reach every layer

*Paper:* in a plain stack only the last quanvolution layer receives gradients; of the
placements it tries, `O1+O2` and `(X+O1)+O2` give gradients to both layers, `X+O1` and
`X+O2` do not. *Ours:* in `barrier` mode (the paper's setting: a layer's encoded input is data,
gradients pass only along residual sums and into the head) a layer is *reached* when its
gradient norm was non-zero in every training step of every seed, *cut* when it was exactly
zero in all of them:

{md_table(["layers", "wiring", *layer_cols], table_rows)}

{verdict(agree)} With two layers, gradients reach every layer exactly with
{", ".join(code(w) for w in sorted(reached))}; with three layers, with
{", ".join(code(w) for w in three_reached) or "no wiring"}. The rule behind the table: a
layer trains only if some sum carries its output past every later encoding into the head's
input. In `full` mode every layer is reached in {int(full["all_reached"].sum())} of
{len(full)} wirings (point 5).

![gradient norm per layer and wiring]({FIGURES['reach']})""")

    # 3. best configurations
    ranks = pf.rankings
    two_ranks = [r for r in ranks if r.experiment.startswith("2 layers")]
    agree = all(r.paper_best_rank == 1 for r in two_ranks)
    three_layer_note = ""
    for r in ranks:
        if r.experiment.startswith("3") and r.best != sf.PAPER_BEST:
            three_layer_note = (f"With three layers `(X+O1)+O2` feeds the head `O3` alone (in "
                                f"barrier mode only QCL3 learns); the best is {code(r.best)}.")
    rows = []
    for r in ranks:
        top = r.order[:3]
        rows.append([r.experiment] + [f"{code(w)} {acc(r.means[w], r.stds[w])}" for w in top] +
                    [", ".join(code(w) for w in r.tied_with_best) or "none"])
    out.append(f"""### 3. The best configurations

*Paper:* `(X+O1)+O2` is the best placement. *Ours:* wirings ranked by accuracy, trainable
layers, barrier gradients (the last column lists wirings within one standard deviation of
the best):

{md_table(["experiment", "1st", "2nd", "3rd", "within 1 std of the best"], rows)}

{verdict(agree)} {" ".join(f"{r.experiment}: `(X+O1)+O2` ranks "
                          f"{_ordinal(r.paper_best_rank)}." for r in ranks)}
{three_layer_note}""")

    # 4. size of the improvement
    imps = pf.improvements
    rows = [[i.experiment, i.regime, code(i.best), acc(i.best_mean), acc(i.none_mean),
             f"{i.relative:+.0f} %", pp(i.points)] for i in imps]
    lo, hi = sf.PAPER_IMPROVEMENT
    main = [i for i in imps if i.regime == "trainable, barrier"]
    inside = [i for i in main if lo <= i.relative <= hi]
    agree = len(inside) == len(main)
    main_text = "; ".join(f"{i.experiment}: {i.relative:+.0f} %" for i in main)
    largest = max(imps, key=lambda i: i.relative)
    anywhere = [i for i in imps if lo <= i.relative <= hi]
    out.append(f"""### 4. The size of the improvement

*Paper:* the best residual configurations are about {lo:.0f}–{hi:.0f} % better in accuracy.
*Ours:* the best wiring relative to the plain chain (`none`), per experiment and regime:

{md_table(["experiment", "regime", "best wiring", "best", "none", "relative", "absolute"],
          rows)}

{verdict(agree)} In the paper's setting (trainable, barrier) we measure {main_text}
({len(inside)} of {len(main)} inside {lo:.0f}–{hi:.0f} %). A relative improvement over the
plain chain says as much about the chain as about the residuals: it is largest where the
chain is weak ({largest.experiment}, {largest.regime}: `none` reaches only
{acc(largest.none_mean)}, {code(largest.best)} {acc(largest.best_mean)},
{largest.relative:+.0f} %). Of all experiment × regime pairs, {len(anywhere)}
{"falls" if len(anywhere) == 1 else "fall"} inside
{lo:.0f}–{hi:.0f} %{": " + "; ".join(f"{i.experiment}, {i.regime} ({i.relative:+.0f} %)"
for i in anywhere) if anywhere else ""}. The best residual wiring beats the plain chain in
{sum(i.points > 0 for i in imps)} of {len(imps)} pairs.""")

    # 5. full vs barrier
    full_imps = [i for i in imps if i.regime == "trainable, full"]
    barrier_imps = {i.experiment: i for i in main}
    att = sf.full_mode_attenuation(reach, {i.experiment: i.best for i in main})
    full_reach_all = bool(full["all_reached"].all())
    helps = all(i.points > 0 for i in full_imps)
    smaller = all(i.points < barrier_imps[i.experiment].points for i in full_imps)
    rows = [[i.experiment, pp(barrier_imps[i.experiment].points), pp(i.points),
             acc(i.none_mean), acc(barrier_imps[i.experiment].none_mean)] for i in full_imps]
    att_rows = [[a.experiment, f"{a.none_g0:.3g}", code(a.best), f"{a.best_g0:.3g}",
                 f"{a.ratio:.2g}x"] for a in att]
    larger = [a for a in att if a.ratio > 1]
    out.append(f"""### 5. Gradient loss across measured layers: `full` vs `barrier`

*Paper:* measuring a quanvolution layer and re-encoding its outputs cuts the gradient flow
to earlier layers, which is why stacked QuNNs need residual connections. *Ours:* `barrier`
reproduces that cut by construction (a layer's encoded input is treated as data). `full`
differentiates through every encoding exactly (adjoint VJP of the encoding rotations), as any
autodiff framework does when the outputs are not detached from the graph. In `full` mode
every layer receives gradient in {"every" if full_reach_all else "not every"} wiring
({int(full["all_reached"].sum())} of {len(full)}). What the best residual wiring is worth
over the plain chain, and the plain chain's own accuracy, in each mode:

{md_table(["experiment", "gain, barrier", "gain, full", "none, full", "none, barrier"],
          rows)}

How strongly the measured layers of the plain chain scale QCL1's gradient: its norm at
initialisation in full mode, plain chain vs the best barrier-mode wiring:

{md_table(["experiment", "none: norm of g(QCL1)", "wiring", "its norm of g(QCL1)", "ratio"],
          att_rows)}

**{"We do not agree" if full_reach_all else "We agree"} on the cause.** {"Gradients are not "
"lost across measured layers: the readouts are smooth functions of the earlier layers' "
"weights, and with exact gradients every layer of every wiring trains. The loss the paper "
"reports appears only in `barrier` mode, where an earlier layer's outputs are treated as "
"data." if full_reach_all else "Some wiring leaves a layer without gradient even in `full` "
"mode."} **{"We agree" if helps else "We do not agree"} that residual connections help
beyond that:** {"in `full` mode the best wiring still beats the plain chain in every "
"experiment" if helps else "in `full` mode the plain chain matches or beats the best wiring "
"somewhere"}, by {", ".join(pp(i.points) for i in full_imps)}{
", less than in `barrier` mode everywhere" if smaller else ""}; the residual path gives QCL1 a
larger initial gradient in {len(larger)} of {len(att)} experiments.""")
    return "\n\n".join(out)


def _qubits(n: int) -> str:
    return f"{n} qubit{'' if n == 1 else 's'}"


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(n, f"#{n}")


def _open_questions(depth: pd.DataFrame, df: sf.DepthFindings) -> str:
    out = ["## The open questions (`examples/depth_scaling.toml`)"]
    lc, var, decay, effect = df.layer_count, df.variance, df.decay, df.effect

    bd = sf.best_depths(df.series)
    rows = [[r.layer, code(r.residual), r.encoding, acc(r.depth_1), str(r.best_depth),
             acc(r.best, r.best_std), f"{r.max_depth}: {acc(r.at_max)}"]
            for r in bd.itertuples()]
    q1 = bd[(bd["layer"] == "QCL1")]
    q2 = bd[(bd["layer"] == "QCL2")]
    q1_gain = 100 * (q1["best"] - q1["depth_1"])
    frozen_gain = q1_gain[q1["residual"] == "none"]
    q2_gain = 100 * (q2["best"] - q2["depth_1"])
    out.append(f"""### (a) Ansatz depth per layer

Two layers, barrier gradients; QCL1's depth 1..8 with QCL2 = 1, then QCL2's depth 1..8 with
QCL1 = 4 (the paper's 4/1 is in both series):

{md_table(["layer varied", "wiring", "encoding", "depth 1", "best depth", "at best",
           "at largest depth"], rows)}

Going from depth 1 to the best depth gains {pp(q1_gain.min())} … {pp(q1_gain.max())} for
QCL1 and {pp(q2_gain.min())} … {pp(q2_gain.max())} for QCL2, across wirings and encodings; the
best depth is the largest tried in {int((bd["best_depth"] == bd["max_depth"]).sum())} of
{len(bd)} series, and the largest depth is within one standard deviation of the best in
{int(((bd["best"] - bd["at_max"]) <= bd["best_std"]).sum())} of {len(bd)}. With `none`, QCL1
gets no gradient in barrier mode, so its depth (gain {pp(frozen_gain.min())} …
{pp(frozen_gain.max())}) changes only which random feature map the head sees.

![accuracy vs depth per layer]({FIGURES['depth']})""")

    rows = []
    for (enc, mode, wiring), s in lc.groupby(["encoding", "gradient_mode", "wiring"], sort=False):
        s = s.sort_values("layers")
        rows.append([enc, mode, wiring] + [acc(m, d) for m, d in zip(s["mean"], s["std"])])
    counts = sorted(lc["layers"].unique())
    drops = []
    for (enc, mode, wiring), s in lc.groupby(["encoding", "gradient_mode", "wiring"], sort=False):
        s = s.sort_values("layers")
        drops.append((enc, mode, wiring, 100 * (s["mean"].max() - s["mean"].iloc[-1])))
    worst = max(drops, key=lambda d: d[3])
    kept = [d for d in drops if d[2] != "none"]
    kept_drop = max(d[3] for d in kept) if kept else float("nan")
    att = lc[(lc["gradient_mode"] == "full") & (lc["wiring"] == "none")]
    never_cut = bool((lc[lc["gradient_mode"] == "full"]["zero_QCL1"] == 0).all())
    chains = depth[(depth["grid"] == "layer-count") & (depth["residual"] == "none")]
    collapsed = chains[chains["best_val_acc"] < 0.2]
    collapsed_text = ", ".join(
        f"{n} {mode}/{enc}" for (mode, enc), n in
        collapsed.groupby(["gradient_mode", "encoding"]).size().items())
    att_text = []
    for enc, s in att.groupby("encoding", sort=False):
        s = s.sort_values("layers")
        g = s["g0_QCL1"].to_numpy(float)
        if len(g) > 1 and g[0] > 0 and g[-1] > 0:
            factor = (g[-1] / g[0]) ** (1 / (len(g) - 1))
            att_text.append(f"{enc}: ×{factor:.2f} per layer, "
                            f"{'shrinking' if factor < 1 else 'growing'}")
    out.append(f"""### (b) 1..5 layers, and (c) angle vs amplitude encoding

Layers of depth 1 (QCL1 stride 2, the others stride 1 with same padding). `all earlier
outputs summed` is the paper's `(X+O1)+O2` continued: each layer reads X and every earlier
output, the head reads all of them (`((X+O1)+O2)+O3`, …):

{md_table(["encoding", "gradients", "wiring", *[f"L = {c}" for c in counts]], rows)}

The largest fall from a series' peak to five layers is {worst[3]:.1f} pp ({worst[0]},
{worst[1]}, {worst[2]}); with every earlier output summed in, no series falls by more than
{kept_drop:.1f} pp. {len(collapsed)} plain-chain points ended below 20 % validation accuracy,
near chance{" (" + collapsed_text + "); they make the large standard deviations"
if len(collapsed) else ""}. In full mode the plain chain's QCL1 gradient
at initialisation changes geometrically with the layers above it
({"; ".join(att_text) or "–"}){": gradients through measured layers are scaled, never cut"
if never_cut else ""}.

![accuracy and QCL1 gradient vs layer count]({FIGURES['layers']})""")

    gap = sf.encoding_gap(depth)
    rows = [[g.grid, pp(g.mean), f"{pp(g.min)} … {pp(g.max)}", f"{g.angle_wins} of {g.n}"]
            for g in gap.itertuples()]
    out.append(f"""Angle minus amplitude encoding, matched configurations and seeds (amplitude
encoding puts a 2x2 patch into 2 qubits, so each layer has 2 output channels instead of 4):

{md_table(["grid", "mean difference", "range", "angle better in"], rows)}""")

    depths = sorted(var["depth"].unique())
    rows = []
    for (enc, q, k), s in var.groupby(["encoding", "qubits", "kernel"], sort=False):
        s = s.set_index("depth")
        rows.append([enc, f"{q} ({k}x{k})"] + [f"{s.loc[d, 'var']:.2e}" if d in s.index else "–"
                                               for d in depths])
    drows = [[r.encoding, str(r.depth), r.qubits, f"{r.factor_per_qubit:.2f}"]
             for r in decay.itertuples()]
    seeds = int(var["seeds"].min())
    first_depth, last_depth = int(decay["depth"].min()), int(decay["depth"].max())
    shallow = dict(zip(*decay[decay["depth"] == first_depth][["encoding", "factor_per_qubit"]]
                       .to_numpy().T))
    deep = dict(zip(*decay[decay["depth"] == last_depth][["encoding", "factor_per_qubit"]]
                    .to_numpy().T))
    steady = {e: abs(np.log(deep[e] / shallow[e])) < np.log(1.25) for e in shallow if e in deep}
    paper_ratio = sf.paper_setting_ratio(effect)
    falling = [f"{e.encoding} with {_qubits(e.qubits)}" for e in effect.itertuples()
               if e.ratio < 0.5]
    out.append(f"""### (d) Gradients at initialisation vs depth and qubit count

One layer, one step on the same 32 digits, {seeds} seeds per point. Every weight starts
uniform over a full period, so each gradient component has mean zero and its variance is
E[g²], estimated as |g|²/(weights) averaged over seeds:

{md_table(["encoding", "qubits (window)", *[f"depth {d}" for d in depths]], rows)}

Fitting log Var = a − b·n over the qubit counts gives the factor per added qubit:

{md_table(["encoding", "depth", "qubit counts", "Var factor per qubit"], drows)}

From the shallowest to the deepest circuit the variance changes by
{", ".join(f"×{e.ratio:.2g} ({e.encoding}, {_qubits(e.qubits)})" for e in effect.itertuples())}.
The barren-plateau signature is a variance that falls with depth onto a floor which shrinks
exponentially with the qubit count. Per added qubit the variance is multiplied by
{"; ".join(f"{f:.2f} at depth {first_depth} and {deep[enc]:.2f} at depth {last_depth} ({enc}: "
           + ("unchanged by depth, so the decay comes with the window -- more pixels per "
              "circuit, fewer output positions, a different head -- not with depth)"
              if steady[enc] else "steeper with depth, as on a barren plateau)")
           for enc, f in shallow.items() if enc in deep)}.
{("Only " + ", ".join(falling) +
" falls with depth by more than half. ") if falling else
"No series falls with depth by more than half. "}In the paper's setting (angle encoding, 2x2
windows, 4 qubits) it changes by ×{paper_ratio:.2g} between depth {first_depth} and
{last_depth}: {"no barren plateau there" if paper_ratio > 0.5 else "a fall to watch"}.

![gradient variance at initialisation]({FIGURES['init']})""")
    return "\n\n".join(out)


def _limits(paper: pd.DataFrame) -> str:
    return f"""## Limits of this comparison

- The paper's claims are stated here as its abstract and our study issue summarise them (the
  full text was not at hand in the offline environment these runs were made in): which
  placements reach which layers, the best placement, the 31–45 % range. Its training subsets,
  epochs and classical head are not reproduced exactly; our sizes (above) and our quantum
  head (docs/model.md) are our choices. We compare directions and orders of magnitude, not
  the paper's exact numbers.
- {_sizes(paper).capitalize()} is a modest budget; wirings whose accuracy is still rising at
  the last epoch are under-estimated alike in every regime.
- `barrier` is our model of the paper's gradient flow (docs/model.md); the paper does not
  state its mechanism beyond "measurement".

## Regenerate

```sh
{PAPER_COMMAND}
{DEPTH_COMMAND}
{REGENERATE}    # extracts the tables from results/*.h5, then writes this page
```

`{REGENERATE} --run` runs both sweeps first (resuming finished points is free);
`{REGENERATE} --from-tables` rewrites the page from the committed tables alone."""
