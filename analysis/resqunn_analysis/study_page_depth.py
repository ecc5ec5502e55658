"""The page's section on the questions the paper leaves open: (a) to (d).

Formatting only: every number and verdict comes from DepthFindings (study_findings.py).
"""

from __future__ import annotations

from . import study_findings as sf
from .study_figures import FIGURES
from .study_format import acc, code, md_table, pp, qubits


def open_questions(df: sf.DepthFindings) -> str:
    """'The open questions': depth per layer, layer count, encoding, initial gradients."""
    return "\n\n".join(["## The open questions (`examples/depth_scaling.toml`)",
                        _depth_per_layer(df.per_layer), _layer_count(df.layers),
                        _encoding_gap(df), _init_gradients(df)])


def _depth_per_layer(a: sf.DepthPerLayer) -> str:
    bd = a.best
    rows = [[r.layer, code(r.residual), r.encoding, acc(r.depth_1), str(r.best_depth),
             acc(r.best, r.best_std), f"{r.max_depth}: {acc(r.at_max)}"]
            for r in bd.itertuples()]
    (q1_lo, q1_hi), (q2_lo, q2_hi) = a.qcl1_gain, a.qcl2_gain
    return f"""### (a) Ansatz depth per layer

Two layers, barrier gradients; QCL1's depth 1..8 with QCL2 = 1, then QCL2's depth 1..8 with
QCL1 = 4 (the paper's 4/1 is in both series):

{md_table(["layer varied", "wiring", "encoding", "depth 1", "best depth", "at best",
           "at largest depth"], rows)}

Going from depth 1 to the best depth gains {pp(q1_lo)} … {pp(q1_hi)} for
QCL1 and {pp(q2_lo)} … {pp(q2_hi)} for QCL2, across wirings and encodings; the
best depth is the largest tried in {a.best_is_largest} of
{len(bd)} series, and the largest depth is within one standard deviation of the best in
{a.largest_within_std} of {len(bd)}. With `none`, QCL1
gets no gradient in barrier mode, so its depth (gain {pp(a.untrained_gain[0])} …
{pp(a.untrained_gain[1])}) changes only which random feature map the head sees.

![accuracy vs depth per layer]({FIGURES['depth']})"""


def _layer_count(b: sf.LayerCount) -> str:
    rows = [[s.encoding, s.gradient_mode, s.wiring] + [acc(m, d) for m, d in zip(s.means, s.stds)]
            for s in b.series]
    worst = b.worst
    collapsed_text = ", ".join(f"{n} {mode}/{enc}" for mode, enc, n in b.collapsed_by)
    att_text = [f"{a.encoding}: ×{a.factor:.2f} per layer, "
                f"{'shrinking' if a.shrinking else 'growing'}" for a in b.attenuation]
    return f"""### (b) 1..5 layers, and (c) angle vs amplitude encoding

Layers of depth 1 (QCL1 stride 2, the others stride 1 with same padding). `all earlier
outputs summed` is the paper's `(X+O1)+O2` continued: each layer reads X and every earlier
output, the head reads all of them (`((X+O1)+O2)+O3`, …):

{md_table(["encoding", "gradients", "wiring", *[f"L = {c}" for c in b.counts]], rows)}

The largest fall from a series' peak to five layers is {worst.drop:.1f} pp ({worst.encoding},
{worst.gradient_mode}, {worst.wiring}); with every earlier output summed in, no series falls by
more than {b.summed_drop:.1f} pp. {b.collapsed} plain-chain points ended below 20 % validation
accuracy, near chance{" (" + collapsed_text + "); they make the large standard deviations"
if b.collapsed else ""}. In full mode the plain chain's QCL1 gradient
at initialisation changes geometrically with the layers above it
({"; ".join(att_text) or "–"}){": gradients through measured layers are scaled, never cut"
if b.never_cut else ""}.

![accuracy and QCL1 gradient vs layer count]({FIGURES['layers']})"""


def _encoding_gap(df: sf.DepthFindings) -> str:
    rows = [[g.grid, pp(g.mean), f"{pp(g.min)} … {pp(g.max)}", f"{g.angle_wins} of {g.n}"]
            for g in df.gap.itertuples()]
    return f"""Angle minus amplitude encoding, matched configurations and seeds (amplitude
encoding puts a 2x2 patch into 2 qubits, so each layer has 2 output channels instead of 4):

{md_table(["grid", "mean difference", "range", "angle better in"], rows)}"""


def _variance_rows(df: sf.DepthFindings) -> list:
    """The variance table: one row per encoding x qubits, one column per depth."""
    rows = []
    for (enc, q, k), s in df.variance.groupby(["encoding", "qubits", "kernel"], sort=False):
        s = s.set_index("depth")
        rows.append([enc, f"{q} ({k}x{k})"] + [f"{s.loc[d, 'var']:.2e}" if d in s.index else "–"
                                               for d in df.init.depths])
    return rows


def _per_qubit_text(d: sf.InitGradients) -> str:
    return "; ".join(
        f"{f:.2f} at depth {d.first_depth} and {d.deep[enc]:.2f} at depth {d.last_depth} ({enc}: "
        + ("unchanged by depth, so the decay comes with the window -- more pixels per "
           "circuit, fewer output positions, a different head -- not with depth)"
           if d.steady[enc] else "steeper with depth, as on a barren plateau)")
        for enc, f in d.shallow.items() if enc in d.deep)


def _init_gradients(df: sf.DepthFindings) -> str:
    d = df.init
    drows = [[r.encoding, str(r.depth), r.qubits, f"{r.factor_per_qubit:.2f}"]
             for r in df.decay.itertuples()]
    falling = [f"{enc} with {qubits(q)}" for enc, q in d.falling]
    return f"""### (d) Gradients at initialisation vs depth and qubit count

One layer, one step on the same 32 digits, {d.seeds} seeds per point. Every weight starts
uniform over a full period, so each gradient component has mean zero and its variance is
E[g²], estimated as |g|²/(weights) averaged over seeds:

{md_table(["encoding", "qubits (window)", *[f"depth {x}" for x in d.depths]],
          _variance_rows(df))}

Fitting log Var = a − b·n over the qubit counts gives the factor per added qubit:

{md_table(["encoding", "depth", "qubit counts", "Var factor per qubit"], drows)}

From the shallowest to the deepest circuit the variance changes by
{", ".join(f"×{e.ratio:.2g} ({e.encoding}, {qubits(e.qubits)})" for e in df.effect.itertuples())}.
The barren-plateau signature is a variance that falls with depth onto a floor which shrinks
exponentially with the qubit count. Per added qubit the variance is multiplied by
{_per_qubit_text(d)}.
{("Only " + ", ".join(falling) +
" falls with depth by more than half. ") if falling else
"No series falls with depth by more than half. "}In the paper's setting (angle encoding, 2x2
windows, 4 qubits) it changes by ×{d.paper_ratio:.2g} between depth {d.first_depth} and
{d.last_depth}: {"no barren plateau there" if d.paper_flat else "a fall to watch"}.

![gradient variance at initialisation]({FIGURES['init']})"""
