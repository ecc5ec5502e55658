"""The results report: figures, tables and text for one results file.

``write_report(results, out_dir)`` writes ``index.html`` and ``report.md``
(the same content), the PNG figures they show and CSV tables, all side by
side in `out_dir` and referenced by bare file names, so the folder can be
moved or archived as a whole. Sections:

(a) learning curves per curve key (default ``model.residual``), mean ± std
    over all points that share it (seeds and any other varying parameter);
    with a facet figure per combination of the other grouping columns when
    there are a few;
(b) final accuracy per group (default: every varying hyperparameter that is
    not a seed), mean ± std over the points of the group (the seeds);
(c) gradient norm heat-maps, layer x optimiser step, one per configuration
    (the groups of (b)), log colour scale, exact zeros in their own colour;
(d) gradient norm at initialisation (mean over the first `init_steps`
    steps) and its variance across points vs each layer's ansatz depth and
    vs the layer count -- skipped, with a note, where the sweep does not
    vary them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from . import figures
from .labels import NONE_LABEL, format_value, in_order, labels_for
from .results import DEPTHS_PARAM, Results, require_columns

#: The curve key of (a) when the results have it.
DEFAULT_CURVES_BY = "model.residual"
#: Facet figures are drawn for 2..MAX_FACETS combinations of the other grouping columns.
MAX_FACETS = 6


@dataclass
class ReportOptions:
    #: Columns of `Results.points` grouping table (b) and the configurations of
    #: (c) and (d); None: every varying hyperparameter that is not a seed.
    group_by: Sequence[str] | None = None
    #: The curve key of (a); None: model.residual.
    curves_by: str | None = None
    #: Seed columns (replicates, averaged over); None: every `*.seed` hyperparameter.
    seeds: Sequence[str] | None = None
    #: (d): mean gradient norm over steps 0 .. init_steps-1 (1: at initialisation).
    init_steps: int = 1
    #: (c): at most this many heat-map panels; the rest are left out with a note.
    max_panels: int = 24


@dataclass
class Report:
    directory: Path
    index_html: Path
    markdown: Path
    figures: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    notes: list = field(default_factory=list)


# --- formatting -----------------------------------------------------------------------------


def pm(mean: float, std: float, scale: float = 1.0, digits: int = 1) -> str:
    if mean is None or not np.isfinite(mean):
        return "-"
    text = f"{mean * scale:.{digits}f}"
    if std is not None and np.isfinite(std):
        text += f" ± {std * scale:.{digits}f}"
    return text


def percent(v: float) -> str:
    return "-" if v is None or not np.isfinite(v) else f"{100 * v:.1f} %"


def number(v: float, digits: int = 3) -> str:
    if v is None or not np.isfinite(v):
        return "-"
    return f"{v:.{digits}g}"


# --- the document: blocks rendered to both HTML and Markdown ---------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4em 0.8em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
"""


class Document:
    def __init__(self, title: str):
        self.title = title
        self.blocks: list = []

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(("h", level, text))

    def para(self, text: str) -> None:
        self.blocks.append(("p", text))

    def note(self, text: str) -> None:
        self.blocks.append(("note", text))

    def image(self, file: str, alt: str, caption: str) -> None:
        self.blocks.append(("img", file, alt, caption))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence], numeric: Sequence[bool] = ()
              ) -> None:
        self.blocks.append(("table", list(headers), [list(map(str, r)) for r in rows],
                            list(numeric)))

    def pre(self, text: str) -> None:
        self.blocks.append(("pre", text))

    def links(self, files: Sequence[str], text: str) -> None:
        self.blocks.append(("links", text, list(files)))

    def html(self) -> str:
        e = html.escape
        out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
               f"<title>{e(self.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
               f"<h1>{e(self.title)}</h1>"]
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out.append(f"<h{b[1]}>{e(b[2])}</h{b[1]}>")
            elif kind == "p":
                out.append(f"<p>{e(b[1])}</p>")
            elif kind == "note":
                out.append(f'<p class="note">{e(b[1])}</p>')
            elif kind == "img":
                out.append(f'<figure><img src="{e(b[1])}" alt="{e(b[2])}">'
                           f"<figcaption>{e(b[3])}</figcaption></figure>")
            elif kind == "table":
                headers, rows, numeric = b[1], b[2], b[3]
                out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers)
                           + "</tr></thead><tbody>")
                for r in rows:
                    cells = []
                    for i, c in enumerate(r):
                        cls = ' class="num"' if i < len(numeric) and numeric[i] else ""
                        cells.append(f"<td{cls}>{e(c)}</td>")
                    out.append("<tr>" + "".join(cells) + "</tr>")
                out.append("</tbody></table>")
            elif kind == "pre":
                out.append(f"<pre>{e(b[1])}</pre>")
            elif kind == "links":
                items = ", ".join(f'<a href="{e(f)}">{e(f)}</a>' for f in b[2])
                out.append(f"<p>{e(b[1])} {items}</p>")
        out += ["</body>", "</html>", ""]
        return "\n".join(out)

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out += ["#" * b[1] + " " + b[2], ""]
            elif kind == "p":
                out += [b[1], ""]
            elif kind == "note":
                out += ["> **Note:** " + b[1], ""]
            elif kind == "img":
                out += [f"![{_md_alt(b[2])}]({b[1]})", "", f"*{b[3]}*", ""]
            elif kind == "table":
                headers, rows, numeric = b[1], b[2], b[3]
                out.append("| " + " | ".join(_md_cell(h) for h in headers) + " |")
                out.append("|" + "|".join(
                    "---:" if i < len(numeric) and numeric[i] else "---"
                    for i in range(len(headers))) + "|")
                out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
                out.append("")
            elif kind == "pre":
                fence = "````" if "```" in b[1] else "```"
                out += [fence + ("toml" if b[1].lstrip().startswith("[") else ""),
                        b[1].rstrip("\n"), fence, ""]
            elif kind == "links":
                out += [b[1] + " " + ", ".join(f"[{f}]({f})" for f in b[2]), ""]
        return "\n".join(out)


def _md_cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_alt(text: str) -> str:
    return text.replace("[", "(").replace("]", ")")


# --- the report ------------------------------------------------------------------------------


class _Writer:
    """Collects the files of one report and the notes about what was left out."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.report = Report(directory, directory / "index.html", directory / "report.md")

    def figure(self, fig, name: str) -> str:
        figures.save_figure(fig, self.directory / name)
        self.report.figures.append(self.directory / name)
        return name

    def csv(self, frame: pd.DataFrame, name: str) -> str:
        frame.to_csv(self.directory / name, index=False)
        self.report.tables.append(self.directory / name)
        return name


def write_report(results: Results, out_dir, options: ReportOptions | None = None) -> Report:
    """Writes the report of `results` into `out_dir` (created if needed); returns what it wrote."""
    opts = options or ReportOptions()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = _Writer(out)
    pts = results.points

    seeds = require_columns(results, opts.seeds, "--seeds") if opts.seeds is not None \
        else results.seed_params
    varying = results.varying()
    nonseed = [c for c in varying if c not in seeds]
    group_by = require_columns(results, opts.group_by, "--group-by") \
        if opts.group_by is not None else nonseed
    if opts.curves_by is not None:
        curves_by = require_columns(results, [opts.curves_by], "--curves-by")
    else:
        curves_by = [DEFAULT_CURVES_BY] if DEFAULT_CURVES_BY in pts.columns else []
    varying_seeds = [s for s in seeds if s in results.varying(seeds)]

    doc = Document(f"resqunn results: {results.path.name}")
    _overview(doc, results, nonseed, varying_seeds, group_by, w)

    config = labels_for(pts, group_by)          # (b), (c), (d): configurations
    curve = labels_for(pts, curves_by)          # (a): curves
    if pts.empty:
        doc.note("No points to show: "
                 + ("the file has no points." if results.n_points == 0 else
                    "no point is done yet (load with include_running / report "
                    "--include-running to see the points in progress)."))
    _curves_section(doc, results, curve, curves_by, group_by, w)
    _final_section(doc, results, config, group_by, seeds, varying_seeds, w)
    _gradient_section(doc, results, config, group_by, opts.max_panels, w)
    _scaling_section(doc, results, group_by, opts.init_steps, w)
    _provenance_section(doc, results)

    w.report.index_html.write_text(doc.html(), encoding="utf-8")
    w.report.markdown.write_text(doc.markdown(), encoding="utf-8")
    w.report.notes = [b[1] for b in doc.blocks if b[0] == "note"]
    return w.report


def _overview(doc: Document, r: Results, nonseed: list, seeds: list, group_by: list,
              w: _Writer) -> None:
    counts = ", ".join(f"{r.state_counts.get(s, 0)} {s}"
                       for s in ("done", "running", "pending", "failed"))
    shown = "every point, whatever its state" if r.include_running else "the done points only"
    doc.heading("Overview")
    rows = [
        ("file", str(r.path)),
        ("points", f"{r.n_points} ({counts}); shown: {len(r.points)}, {shown}"),
        ("sizes", f"{r.n_epochs} epochs, {r.n_steps} traced steps, {len(r.layer_names)} traced "
                  f"layers ({', '.join(r.layer_names)}), {len(r.class_names)} classes"),
        ("varying hyperparameters", ", ".join(nonseed) or "none"),
        ("seeds (averaged over)", ", ".join(seeds) or "none vary"),
        ("configurations (grouped by)", ", ".join(group_by) or NONE_LABEL),
        ("schema version", str(r.schema_version)),
    ]
    doc.table(["", "value"], rows)
    if len(r.points):
        cols = ["point", "id", "state", *nonseed, *seeds, "epochs_done", "best_val_acc", "wall_s"]
        frame = r.points[[c for c in dict.fromkeys(cols) if c in r.points.columns]]
        doc.links([w.csv(r.points, "points.csv")], "Every point with every column:")
        if len(frame) <= 64:
            doc.table(list(frame.columns),
                      [[format_value(v) if c not in ("best_val_acc", "wall_s") else
                        (percent(v) if c == "best_val_acc" else number(v))
                        for c, v in row.items()] for _, row in frame.iterrows()])


# (a) ----------------------------------------------------------------------------------------

CURVE_METRICS = ("val_acc", "train_acc", "val_loss", "train_loss")


def curve_stats(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Mean, std (ddof 1) and count per `keys` + epoch for each curve metric."""
    g = frame.groupby([*keys, "epoch"], sort=False, dropna=False)
    stats = g[list(CURVE_METRICS)].agg(["mean", "std"])
    stats.columns = [f"{m}_{s}" for m, s in stats.columns]
    stats["n"] = g.size()
    return stats.reset_index()


def _curves_section(doc: Document, r: Results, curve: pd.Series, curves_by: list,
                    group_by: list, w: _Writer) -> None:
    doc.heading("(a) Learning curves")
    hue_title = ", ".join(curves_by) or NONE_LABEL
    frame = r.epochs.merge(pd.DataFrame({"point": r.points["point"], "hue": curve}), on="point")
    stats = curve_stats(frame, ["hue"])
    hues = in_order(curve)
    fig = figures.curves_figure(stats, hues, f"{r.path.name}: learning curves by {hue_title} "
                                "(mean ± std over the points of each curve)",
                                hue_title=hue_title)
    doc.image(w.figure(fig, "curves.png"), "learning curves",
              f"Validation and training accuracy and loss per epoch, one curve per {hue_title}: "
              "the mean over the points that share it (seeds and any other varying "
              "hyperparameter), the band ± one standard deviation (where there are 2+ points); "
              "n = points per curve.")
    others = [c for c in group_by if c not in curves_by]
    if others and not frame.empty:
        facet = labels_for(r.points, others, named=True)
        facets = in_order(facet)
        if 2 <= len(facets) <= MAX_FACETS:
            frame = frame.merge(pd.DataFrame({"point": r.points["point"], "facet": facet}),
                                on="point")
            stats = curve_stats(frame, ["facet", "hue"])
            fig = figures.curves_figure(
                stats, hues, f"{r.path.name}: learning curves by {hue_title}, "
                f"one row per {', '.join(others)}", metrics=("val_acc", "val_loss"),
                facet_order=facets, hue_title=hue_title)
            doc.image(w.figure(fig, "curves_facets.png"), "learning curves per configuration",
                      f"The same curves, split by {', '.join(others)} (mean ± std over the "
                      "seeds).")
        elif len(facets) > MAX_FACETS:
            doc.note(f"Learning curves split by {', '.join(others)} left out: "
                     f"{len(facets)} combinations (more than {MAX_FACETS}).")


# (b) ----------------------------------------------------------------------------------------


def final_metrics(r: Results) -> pd.DataFrame:
    """Per point: the last written epoch's val_acc, train_acc, val_loss (final_*)."""
    last = r.epochs.sort_values(["point", "epoch"]).groupby("point", sort=False).tail(1)
    last = last.rename(columns={"epoch": "final_epoch", "val_acc": "final_val_acc",
                                "train_acc": "final_train_acc", "val_loss": "final_val_loss"})
    cols = ["point", "final_epoch", "final_val_acc", "final_train_acc", "final_val_loss"]
    return r.points.merge(last[cols], on="point", how="left")


def final_table(r: Results, group_by: Sequence[str], seeds: Sequence[str] = ()) -> pd.DataFrame:
    """Table (b) as numbers: per group, n and mean/std of the final metrics (accuracies 0..1).

    n: points of the group with results; n_points: all its points.
    """
    frame = final_metrics(r)
    frame["group"] = labels_for(frame, group_by).to_numpy()
    rows = []
    for label in in_order(frame["group"]):
        sub = frame[frame["group"] == label]
        row = {c: sub[c].iloc[0] for c in group_by}
        row["group"] = label
        # Points with results (a pending point of --include-running has none).
        row["n"] = int((sub["best_val_acc"].notna() | sub["final_val_acc"].notna()).sum())
        row["n_points"] = len(sub)
        for s in seeds:
            row[s] = ", ".join(sorted({format_value(v) for v in sub[s]},
                                      key=lambda t: (len(t), t)))
        for m in ("best_val_acc", "final_val_acc", "final_train_acc", "final_val_loss",
                  "wall_s"):
            values = pd.to_numeric(sub[m], errors="coerce")
            row[f"{m}_mean"] = values.mean()
            row[f"{m}_std"] = values.std(ddof=1) if values.count() > 1 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _final_section(doc: Document, r: Results, config: pd.Series, group_by: list, seeds: list,
                   varying_seeds: list, w: _Writer) -> None:
    doc.heading("(b) Final accuracy")
    table = final_table(r, group_by, varying_seeds)
    if table.empty:
        doc.note("No points, so no accuracy table.")
        return
    by = ", ".join(group_by) or NONE_LABEL
    over = ", ".join(varying_seeds) or "none vary"
    doc.para(f"Grouped by {by}; mean ± standard deviation over the points of each group "
             f"(seeds: {over}). Accuracies in %; 'best' is the best validation accuracy over "
             "the epochs, 'final' the last epoch's.")
    headers = [*(group_by or ["group"]), "n", *varying_seeds, "best val acc %",
               "final val acc %", "final train acc %", "final val loss", "wall s (mean)"]
    numeric = [False] * len(group_by or ["group"]) + [True] + [False] * len(varying_seeds) \
        + [True] * 5
    rows = []
    for _, t in table.iterrows():
        keys = [format_value(t[c]) for c in group_by] if group_by else [t["group"]]
        n = str(t["n"]) if t["n"] == t["n_points"] else f"{t['n']} of {t['n_points']}"
        rows.append([*keys, n, *[t[s] for s in varying_seeds],
                     pm(t["best_val_acc_mean"], t["best_val_acc_std"], 100),
                     pm(t["final_val_acc_mean"], t["final_val_acc_std"], 100),
                     pm(t["final_train_acc_mean"], t["final_train_acc_std"], 100),
                     pm(t["final_val_loss_mean"], t["final_val_loss_std"], 1, 4),
                     number(t["wall_s_mean"])])
    doc.table(headers, rows, numeric)
    doc.links([w.csv(table, "final_accuracy.csv")], "As numbers:")


# (c) ----------------------------------------------------------------------------------------


def steps_per_epoch(r: Results) -> int | None:
    """ceil(data.train / train.batch_size) if every shown point agrees, else None."""
    if r.points.empty or "data.train" not in r.points or "train.batch_size" not in r.points:
        return None
    train = pd.to_numeric(r.points["data.train"], errors="coerce")
    batch = pd.to_numeric(r.points["train.batch_size"], errors="coerce")
    per = np.ceil(train / batch).dropna().unique()
    return int(per[0]) if len(per) == 1 and per[0] > 0 else None


def gradient_matrices(r: Results, config: pd.Series, stat: str = "grad_norm") -> list:
    """Per configuration: (label, layers, matrix [layer, step]) of `stat` averaged over points."""
    if r.traces.empty:
        return []
    frame = r.traces.merge(pd.DataFrame({"point": r.points["point"], "config": config}),
                           on="point")
    n_steps = int(frame["step"].max()) + 1
    out = []
    for label in in_order(config):
        sub = frame[frame["config"] == label]
        if sub.empty:
            continue
        mean = sub.groupby(["layer", "step"])[stat].mean().unstack("step")
        layers = [l for l in r.layer_names if l in mean.index]
        mean = mean.reindex(index=layers, columns=range(n_steps))
        n = sub["point"].nunique()
        out.append((f"{label} (n={n})", layers, mean.to_numpy(dtype=float)))
    return out


def layer_gradient_table(r: Results, config: pd.Series) -> pd.DataFrame:
    """Per configuration and layer: mean gradient norm and the share of exactly-zero steps."""
    if r.traces.empty:
        return pd.DataFrame(columns=["configuration", "layer", "grad_norm_mean",
                                     "grad_norm_step0", "zero_fraction", "points"])
    frame = r.traces.merge(pd.DataFrame({"point": r.points["point"], "config": config}),
                           on="point")
    rows = []
    for label in in_order(config):
        sub = frame[frame["config"] == label]
        for layer in r.layer_names:
            s = sub[sub["layer"] == layer]
            if s.empty:
                continue
            rows.append({"configuration": label, "layer": layer,
                         "grad_norm_mean": s["grad_norm"].mean(),
                         "grad_norm_step0": s.loc[s["step"] == 0, "grad_norm"].mean(),
                         "zero_fraction": float((s["grad_norm"] == 0).mean()),
                         "points": s["point"].nunique()})
    return pd.DataFrame(rows)


def _gradient_section(doc: Document, r: Results, config: pd.Series, group_by: list,
                      max_panels: int, w: _Writer) -> None:
    doc.heading("(c) Gradient norm per layer and step")
    panels = gradient_matrices(r, config)
    if len(panels) > max_panels:
        doc.note(f"Only the first {max_panels} of {len(panels)} configurations are drawn "
                 "(--max-panels); the table below has all.")
        panels = panels[:max_panels]
    by = ", ".join(group_by) or NONE_LABEL
    fig = figures.gradient_heatmaps(panels, f"{r.path.name}: gradient norm per layer and "
                                    f"optimiser step, by {by}", steps_per_epoch(r))
    doc.image(w.figure(fig, "gradient_heatmap.png"), "gradient norm heat-maps",
              f"L2 norm of each traced layer's gradient at every optimiser step (mean over the "
              f"points of each configuration: {by}), log colour scale. Grey: exactly zero -- "
              "no gradient reaches the layer (in barrier mode, QCL1 with residual 'none'); "
              "white: not written.")
    table = layer_gradient_table(r, config)
    if table.empty:
        return
    rows = []
    for _, t in table.iterrows():
        z = t["zero_fraction"]
        learns = "no: exactly 0 at every step" if z == 1 else \
            ("yes" if z == 0 else f"partly: exactly 0 at {100 * z:.0f}% of the steps")
        rows.append([t["configuration"], t["layer"], number(t["grad_norm_step0"]),
                     number(t["grad_norm_mean"]), learns])
    doc.table(["configuration", "layer", "grad norm, step 0", "grad norm, mean over steps",
               "receives gradient"], rows, [False, False, True, True, False])
    doc.links([w.csv(table, "gradient_layers.csv")], "As numbers:")


# (d) ----------------------------------------------------------------------------------------


def initial_gradients(r: Results, init_steps: int = 1) -> pd.DataFrame:
    """Per point and layer: grad_norm averaged over steps 0 .. init_steps-1."""
    if r.traces.empty:
        return pd.DataFrame(columns=["point", "layer", "grad_norm"])
    early = r.traces[r.traces["step"] < init_steps]
    return early.groupby(["point", "layer"], sort=False)["grad_norm"].mean().reset_index()


def scaling_stats(r: Results, x: str, hue_cols: Sequence[str], init_steps: int = 1
                  ) -> pd.DataFrame:
    """(d) as numbers: per hue, x and layer, mean and variance (ddof 1) of the initial norm."""
    init = initial_gradients(r, init_steps)
    pts = r.points[["point", x]].copy()
    pts["hue"] = labels_for(r.points, hue_cols).to_numpy()
    frame = init.merge(pts, on="point").rename(columns={x: "x"})
    frame = frame[frame["x"].notna()]
    if frame.empty:
        return pd.DataFrame(columns=["hue", "x", "layer", "mean", "var", "n"])
    g = frame.groupby(["hue", "x", "layer"], sort=False)["grad_norm"]
    stats = pd.DataFrame({"mean": g.mean(), "var": g.var(ddof=1), "n": g.size()}).reset_index()
    stats["x"] = stats["x"].astype(np.int64)
    return stats


def _scaling_section(doc: Document, r: Results, group_by: list, init_steps: int, w: _Writer
                     ) -> None:
    doc.heading("(d) Gradient norm vs circuit depth and layer count")
    when = "at initialisation (step 0)" if init_steps <= 1 else \
        f"averaged over the first {init_steps} optimiser steps"
    depth_cols = [c for c in r.derived_columns if c.startswith("depth_QCL")]
    axes = [(c, f"{c[len('depth_'):]} ansatz depth", f"depth_scaling_{c[len('depth_'):]}")
            for c in depth_cols]
    axes.append(("layers", "quanvolution layers", "layer_scaling"))
    if not r.derived_columns:
        doc.note("Depth scaling skipped: the file records no model.depths.")
        return
    drawn = 0
    for x, x_label, stem in axes:
        values = r.points[x].dropna().unique() if x in r.points else []
        if len(values) < 2:
            if x in ("depth_QCL1", "layers"):
                what = "QCL1 ansatz depth" if x == "depth_QCL1" else "number of layers"
                same = f" ({format_value(values[0])})" if len(values) == 1 else ""
                doc.note(f"Scaling with the {what} skipped: every point has the same "
                         f"{what}{same}.")
            continue
        others = [c for c in r.derived_columns if c != x and c in r.varying([c])]
        hue_cols = [c for c in group_by if c != DEPTHS_PARAM and c not in r.derived_columns] \
            + others
        stats = scaling_stats(r, x, hue_cols, init_steps)
        layers = [l for l in r.layer_names if l in set(stats["layer"])]
        hues = in_order(labels_for(r.points, hue_cols))
        hue_title = ", ".join(hue_cols) or NONE_LABEL
        fig = figures.scaling_figure(stats, layers, hues, x_label,
                                     f"{r.path.name}: gradient norm {when} vs {x_label}",
                                     hue_title=hue_title)
        doc.image(w.figure(fig, f"{stem}.png"), f"gradient norm vs {x_label}",
                  f"Top: gradient norm of each layer {when}, mean over the points with the same "
                  f"{x_label} and {hue_title} (seeds and other varying hyperparameters); bottom: "
                  "its variance across those points (needs 2+). Log scale: exact zeros are not "
                  "drawn, the panels name them.")
        doc.links([w.csv(stats.rename(columns={"x": x, "hue": hue_title}), f"{stem}.csv")],
                  "As numbers:")
        drawn += 1
    if not drawn:
        doc.para("No depth-scaling figure: the sweep varies neither a layer's depth nor the "
                 "number of layers.")


def _provenance_section(doc: Document, r: Results) -> None:
    doc.heading("Provenance")
    if r.provenance:
        doc.table(["attribute", "value"], [(k, format_value(v)) for k, v in r.provenance.items()])
    else:
        doc.para("The file has no provenance.")
    doc.heading("Spec", 3)
    doc.pre(r.spec or "(empty)")
