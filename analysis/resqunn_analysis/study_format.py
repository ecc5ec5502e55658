"""Text helpers of the docs/results page: numbers, tables and verdicts as Markdown.

Formatting only: they turn the findings (study_findings.py) into text.
"""

from __future__ import annotations

import numpy as np


def acc(mean: float, std: float | None = None) -> str:
    """'91.4 ± 0.4 %' (accuracies as percentages)."""
    if mean is None or not np.isfinite(mean):
        return "–"
    text = f"{100 * mean:.1f}"
    if std is not None and np.isfinite(std):
        text += f" ± {100 * std:.1f}"
    return text + " %"


def pp(value: float) -> str:
    """'+1.2 pp' (a difference in percentage points)."""
    return f"{value:+.1f} pp"


def md_table(header: list, rows: list) -> str:
    """A Markdown table; '|' in a cell is escaped."""
    def cell(v) -> str:
        return str(v).replace("|", "\\|")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def code(text: str) -> str:
    """`text` as inline code."""
    return f"`{text}`"


def minutes(seconds: float) -> str:
    """'1.5 min (90 s)'; 'unknown' when not finite."""
    if not np.isfinite(seconds):
        return "unknown"
    return f"{seconds / 60:.1f} min ({seconds:.0f} s)"


def verdict(agree: bool) -> str:
    """The bold verdict that opens a claim's conclusion."""
    return "**We agree.**" if agree else "**We do not agree.**"


def qubits(n: int) -> str:
    """'1 qubit', '4 qubits'."""
    return f"{n} qubit{'' if n == 1 else 's'}"


def ordinal(n: int) -> str:
    """'first' … 'fifth', then '#6'."""
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(n, f"#{n}")
