"""The page's section on the paper's claims: one subsection per claim, with its verdict.

Formatting only: every number and verdict comes from PaperFindings (study_findings.py).
"""

from __future__ import annotations

import pandas as pd

from . import study_findings as sf
from .study_figures import FIGURES
from .study_format import acc, code, md_table, ordinal, pp, verdict


def paper_section(pf: sf.PaperFindings) -> str:
    """'The paper's claims, point by point': claims 1 to 5 (Markdown)."""
    return "\n\n".join(["## The paper's claims, point by point", _trainable(pf.trainable),
                        _reach(pf.reached), _best(pf.best), _improvement(pf.improvement),
                        _full_mode(pf)])


def _trainable(claim: sf.TrainableClaim) -> str:
    comps = claim.comparisons
    rows = [[c.experiment, f"{c.wins} of {c.total}", pp(c.gain_mean),
             f"{pp(c.gain_min)} … {pp(c.gain_max)}"] for c in comps]
    return f"""### 1. Trainable vs frozen quanvolution layers

*Paper:* making the quanvolution layers trainable improves on the usual frozen (random,
untrained) layers. *Ours:* trainable layers (barrier gradients, as in the paper) against the
same wiring with frozen layers, where only the head learns:

{md_table(["experiment", "wirings where trainable wins", "mean gain", "range"], rows)}

{verdict(claim.agree)} Trainable layers {"win in every wiring of every experiment" if claim.agree
else "do not win everywhere"}. The largest gain is with {", ".join(
f"{code(c.largest)} ({c.experiment})" for c in comps)}; the frozen models themselves reach
{", ".join(f"{acc(c.frozen_best)} ({c.experiment})" for c in comps)} with their best wiring,
so a good part of a ResQuNN's accuracy comes from the head reading the raw image through the
residual sums, trainable layers or not."""


def _reach(claim: sf.ReachClaim) -> str:
    table_rows = [[r["layers"], code(r["residual"])] +
                  [("–" if pd.isna(r[c]) else r[c]) for c in claim.layer_columns]
                  for _, r in claim.table.iterrows()]
    return f"""### 2. Which residual wirings let gradients reach every layer

*Paper:* in a plain stack only the last quanvolution layer receives gradients; of the
placements it tries, `O1+O2` and `(X+O1)+O2` give gradients to both layers, `X+O1` and
`X+O2` do not. *Ours:* in `barrier` mode (the paper's setting: a layer's encoded input is data,
gradients pass only along residual sums and into the head) a layer is *reached* when its
gradient norm was non-zero in every training step of every seed, *cut* when it was exactly
zero in all of them:

{md_table(["layers", "wiring", *claim.layer_columns], table_rows)}

{verdict(claim.agree)} With two layers, gradients reach every layer exactly with
{", ".join(code(w) for w in claim.two_layer)}; with three layers, with
{", ".join(code(w) for w in claim.three_layer) or "no wiring"}. The rule behind the table: a
layer trains only if some sum carries its output past every later encoding into the head's
input. In `full` mode every layer is reached in {claim.full_reached} of
{claim.full_total} wirings (point 5).

![gradient norm per layer and wiring]({FIGURES['reach']})"""


def _best(claim: sf.BestClaim) -> str:
    ranks = claim.rankings
    three_layer_note = ""
    if claim.three_layer_best is not None:
        three_layer_note = (f"With three layers `(X+O1)+O2` feeds the head `O3` alone (in "
                            f"barrier mode only QCL3 learns); the best is "
                            f"{code(claim.three_layer_best)}.")
    rows = []
    for r in ranks:
        top = r.order[:3]
        rows.append([r.experiment] + [f"{code(w)} {acc(r.means[w], r.stds[w])}" for w in top] +
                    [", ".join(code(w) for w in r.tied_with_best) or "none"])
    return f"""### 3. The best configurations

*Paper:* `(X+O1)+O2` is the best placement. *Ours:* wirings ranked by accuracy, trainable
layers, barrier gradients (the last column lists wirings within one standard deviation of
the best):

{md_table(["experiment", "1st", "2nd", "3rd", "within 1 std of the best"], rows)}

{verdict(claim.agree)} {" ".join(f"{r.experiment}: `(X+O1)+O2` ranks "
                                 f"{ordinal(r.paper_best_rank)}." for r in ranks)}
{three_layer_note}"""


def _improvement(claim: sf.ImprovementClaim) -> str:
    imps = claim.improvements
    rows = [[i.experiment, i.regime, code(i.best), acc(i.best_mean), acc(i.none_mean),
             f"{i.relative:+.0f} %", pp(i.points)] for i in imps]
    lo, hi = sf.PAPER_IMPROVEMENT
    main_text = "; ".join(f"{i.experiment}: {i.relative:+.0f} %" for i in claim.barrier)
    largest, anywhere = claim.largest, claim.anywhere
    return f"""### 4. The size of the improvement

*Paper:* the best residual configurations are about {lo:.0f}–{hi:.0f} % better in accuracy.
*Ours:* the best wiring relative to the plain chain (`none`), per experiment and regime:

{md_table(["experiment", "regime", "best wiring", "best", "none", "relative", "absolute"],
          rows)}

{verdict(claim.agree)} In the paper's setting (trainable, barrier) we measure {main_text}
({len(claim.inside)} of {len(claim.barrier)} inside {lo:.0f}–{hi:.0f} %). A relative improvement
over the plain chain says as much about the chain as about the residuals: it is largest where the
chain is weak ({largest.experiment}, {largest.regime}: `none` reaches only
{acc(largest.none_mean)}, {code(largest.best)} {acc(largest.best_mean)},
{largest.relative:+.0f} %). Of all experiment × regime pairs, {len(anywhere)}
{"falls" if len(anywhere) == 1 else "fall"} inside
{lo:.0f}–{hi:.0f} %{": " + "; ".join(f"{i.experiment}, {i.regime} ({i.relative:+.0f} %)"
for i in anywhere) if anywhere else ""}. The best residual wiring beats the plain chain in
{claim.wins} of {len(imps)} pairs."""


def _full_mode(pf: sf.PaperFindings) -> str:
    claim, reached, full_imps = pf.full_mode, pf.reached, pf.improvement.full
    barrier = claim.barrier
    rows = [[i.experiment, pp(barrier[i.experiment].points), pp(i.points),
             acc(i.none_mean), acc(barrier[i.experiment].none_mean)] for i in full_imps]
    att_rows = [[a.experiment, f"{a.none_g0:.3g}", code(a.best), f"{a.best_g0:.3g}",
                 f"{a.ratio:.2g}x"] for a in claim.attenuation]
    full_reach_all, helps = reached.full_all, claim.helps
    return f"""### 5. Gradient loss across measured layers: `full` vs `barrier`

*Paper:* measuring a quanvolution layer and re-encoding its outputs cuts the gradient flow
to earlier layers, which is why stacked QuNNs need residual connections. *Ours:* `barrier`
reproduces that cut by construction (a layer's encoded input is treated as data). `full`
differentiates through every encoding exactly (adjoint VJP of the encoding rotations), as any
autodiff framework does when the outputs are not detached from the graph. In `full` mode
every layer receives gradient in {"every" if full_reach_all else "not every"} wiring
({reached.full_reached} of {reached.full_total}). What the best residual wiring is worth
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
", less than in `barrier` mode everywhere" if claim.smaller else ""}; the residual path gives
QCL1 a larger initial gradient in {claim.larger_initial} of {len(claim.attenuation)}
experiments."""
