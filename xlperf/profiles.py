"""Review profiles: what a bureau's 审核 expects, as data — the scoring settings, whether the 2021 framework
(成本指标 required) applies, the vocabularies of vague and placeholder values, and the thresholds of the
heuristic rules. One profile is in force for a run; both hosts pass it to :func:`xlperf.checks.check_model`.

``NATIONAL`` is the default (财预〔2020〕10号, 财预〔2021〕101号). A profile is chosen by name
(``--profile NAME``) or read from a TOML file (``--profile FILE.toml``) over the national one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlperf.scoring import DEFAULT as DEFAULT_SCORING
from xlperf.scoring import ScoringSettings


@dataclass(frozen=True)
class Profile:
    """Everything a review run may vary by bureau. Rules read their vocabularies and thresholds here."""

    name: str = "national"
    title: str = "全国通用（财预〔2020〕10号、财预〔2021〕101号）"
    scoring: ScoringSettings = field(default_factory=lambda: DEFAULT_SCORING)
    # The 2021 framework makes 成本指标 a 一级 of its own and requires it (indicator.missing_cost).
    cost_required: bool = True


NATIONAL = Profile()
