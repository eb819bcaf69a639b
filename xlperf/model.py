"""The form model: plain dataclasses for the official forms, with no spreadsheet library imported.

Every value read from a workbook is a :class:`Field`, which keeps the sheet and A1 cell it came from,
so that any operation can point a finding at the exact cell. Money is ``Decimal`` (万元), never float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from xlperf.values import IndicatorValue

T = TypeVar("T")


@dataclass(frozen=True)
class Field(Generic[T]):
    """One value of a form, with where it was read from.

    ``value`` is the typed value (``Decimal`` for amounts, ``str`` for text, ``None`` when the cell is
    empty or unreadable); ``raw`` is what the cell held; ``sheet`` and ``cell`` locate it ("" when the
    field was looked for and not found, so that a finding can still name the sheet).
    """

    value: T | None
    raw: Any = None
    sheet: str = ""
    cell: str = ""
    unit: str = ""  # an amount's unit on the sheet where it is not 万元 ("元"); its value is in 万元 all the same

    @property
    def empty(self) -> bool:
        return self.value is None or self.value == ""

    @property
    def text(self) -> str:
        """The value as display text ("" when empty)."""
        if self.value is None:
            return ""
        if isinstance(self.value, Decimal):
            return format(self.value, "f")
        return str(self.value)


def missing(sheet: str = "") -> Field[Any]:
    """A field that the reader looked for and did not find."""
    return Field(None, None, sheet, "")


@dataclass
class Indicator:
    """One 三级 indicator row, with whatever columns its table has (absent ones stay empty)."""

    row: int
    level1: Field[str]
    level2: Field[str]
    name: Field[str]
    target: Field[str]
    parsed_target: IndicatorValue
    unit: Field[str] = field(default_factory=missing)
    attribute: Field[str] = field(default_factory=missing)
    direction: Field[str] = field(default_factory=missing)
    description: Field[str] = field(default_factory=missing)
    basis: Field[str] = field(default_factory=missing)
    standard: Field[str] = field(default_factory=missing)
    weight: Field[Decimal] = field(default_factory=missing)
    rule: Field[str] = field(default_factory=missing)
    actual: Field[str] = field(default_factory=missing)
    parsed_actual: IndicatorValue | None = None
    score: Field[Decimal] = field(default_factory=missing)
    reason: Field[str] = field(default_factory=missing)
    grade: Field[str] = field(default_factory=missing)  # 完成等级 of a self-evaluation (达成年度指标 …)
    completion: Field[Decimal] = field(default_factory=missing)  # 完成率, where the table has the column
    # The operator cell of a table that writes it apart from the number (指标性质 "≥" next to 指标值 "95"
    # and 度量单位 "%"); ``parsed_target`` then reads the three together while ``target`` stays the 指标值 cell.
    operator: Field[str] = field(default_factory=missing)
    no: Field[str] = field(default_factory=missing)  # 序号 of the row ("1", "（一）"), or the numbering of its name
    note: Field[str] = field(default_factory=missing)  # 备注
    # 年初目标值 of a self-evaluation that also has the adjusted 全年目标值 (which is then ``target``).
    initial_target: Field[str] = field(default_factory=missing)

    @property
    def level1_key(self) -> str:
        """The framework name of the 一级 label (产出指标 …), or the normalised label if unknown."""
        from xlperf.labels import level1_key

        return level1_key(self.level1.text)

    @property
    def level2_key(self) -> str:
        from xlperf.labels import level2_key

        return level2_key(self.level2.text)

    @property
    def is_blank(self) -> bool:
        """A framework row the unit left empty (no 三级 name and no value)."""
        return self.name.empty and self.target.empty


@dataclass
class IndicatorBlock:
    """An indicator table: its rows and the weight each 一级 label carries (产出指标(40分) → 40)."""

    sheet: str
    header_row: int
    columns: dict[str, str]
    indicators: list[Indicator]
    level1_weights: dict[str, Decimal] = field(default_factory=dict)

    @property
    def filled(self) -> list[Indicator]:
        return [i for i in self.indicators if not i.is_blank]

    def counts_by_level1(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for ind in self.filled:
            counts[ind.level1_key] = counts.get(ind.level1_key, 0) + 1
        return counts


@dataclass
class Part:
    """A labelled part of a total (一般公共预算拨款 1786.46, 基本支出 191.68 …)."""

    label: str
    amount: Field[Decimal]


@dataclass
class TaskRow:
    """A task row of the seed 004 department form: 总额 = 财政拨款 + 其他资金."""

    row: int
    name: Field[str]
    content: Field[str]
    total: Field[Decimal]
    fiscal: Field[Decimal]
    other: Field[Decimal]
    no: Field[str] = field(default_factory=missing)  # 序号, where the table has the column


@dataclass
class WorkPlanRow:
    row: int
    item: Field[str]
    owner: Field[str]
    goal: Field[str]


@dataclass
class DepartmentTarget:
    """部门（单位）整体支出绩效目标表 (seed 000 and seed 004 layouts; seed 003's indicator set)."""

    sheet: str
    layout: str
    title: Field[str]
    dept_name: Field[str]
    total: Field[Decimal]
    income: list[Part]
    spending: list[Part]
    tasks: list[TaskRow]
    tasks_total: TaskRow | None
    duties: Field[str]
    work_plan: list[WorkPlanRow]
    overall_goal: Field[str]
    indicators: IndicatorBlock | None
    key_work: Field[str] = field(default_factory=missing)  # 年度重点工作任务, as one text (seed 003)

    kind = "dept_target"

    def spending_part(self, key: str) -> Part | None:
        from xlperf.labels import norm

        return next((p for p in self.spending if norm(p.label) == norm(key)), None)


@dataclass
class SummaryRow:
    """One row of 附表2: one spending direction."""

    row: int
    no: Field[str]
    name: Field[str]
    amount: Field[Decimal]
    period_goal: Field[str]
    annual_goal: Field[str]


@dataclass
class SpecialFundSummary:
    """附表2 专项资金绩效目标汇总表."""

    sheet: str
    title: Field[str]
    rows: list[SummaryRow]
    total: Field[Decimal]

    kind = "summary"


@dataclass
class DetailRow:
    """A row of 支出明细及测算说明."""

    row: int
    intro: Field[str]
    detail: Field[str]
    amount: Field[Decimal]
    basis: Field[str]


@dataclass
class SpendingDirection:
    """附表3 专项资金支出方向绩效目标表: one spending direction."""

    sheet: str
    title: Field[str]
    direction: Field[str]
    special: Field[str]
    project_amount: Field[Decimal]
    amount: Field[Decimal]
    period: Field[str]
    period_goal: Field[str]
    annual_goal: Field[str]
    indicators: IndicatorBlock | None
    details: list[DetailRow]
    details_total: Field[Decimal]

    kind = "direction"


@dataclass
class PlanPoint:
    """One cumulative percentage of 资金支出计划 (3月底 25% …); ``value`` is a fraction of 1."""

    label: str
    percent: Field[Decimal]


@dataclass
class ProjectTarget:
    """项目支出绩效目标表 (seed 002 with 资金支出计划; seed 003 with 分值 and 评(扣)分标准)."""

    sheet: str
    title: Field[str]
    unit_line: Field[str]
    code: Field[str]
    name: Field[str]
    budget: Field[Decimal]
    fiscal: Field[Decimal]
    other: Field[Decimal]
    purpose: Field[str]
    plan: list[PlanPoint]
    goal: Field[str]
    indicators: IndicatorBlock | None
    # The note under the indicator table: "以上绩效指标值设定依据及数据来源:《…》" (seed 003).
    basis_note: Field[str] = field(default_factory=missing)
    authority: Field[str] = field(default_factory=missing)  # 主管部门 (the national template)
    implementer: Field[str] = field(default_factory=missing)  # 实施单位 (the national template)

    kind = "project_target"


@dataclass
class SelfEvaluation:
    """绩效自评表 (seed 001 附件3; the project version has the same columns)."""

    sheet: str
    title: Field[str]
    unit: Field[str]
    initial_budget: Field[Decimal]
    annual_budget: Field[Decimal]
    executed: Field[Decimal]
    rate_weight: Field[Decimal]
    rate: Field[Decimal]
    rate_score: Field[Decimal]
    income: list[Part]
    spending: list[Part]
    goal_expected: Field[str]
    goal_actual: Field[str]
    indicators: IndicatorBlock | None
    total_weight: Field[Decimal]
    total_score: Field[Decimal]
    grade: Field[str] = field(default_factory=missing)  # 评价等级 (优 / 良 / 中 / 差), where the form has one
    authority: Field[str] = field(default_factory=missing)  # 主管部门 (the project version)
    implementer: Field[str] = field(default_factory=missing)  # 实施单位 (the project version)

    kind = "self_eval"


@dataclass
class BasicDataRow:
    row: int
    label: Field[str]
    indent: int
    values: list[Field[Decimal]]


@dataclass
class BasicData:
    """部门（单位）整体支出绩效评价基础数据表 (seed 001 附件2)."""

    sheet: str
    title: Field[str]
    staff_quota: Field[Decimal]
    staff_actual: Field[Decimal]
    staff_rate: Field[Decimal]
    cost_header: list[str]
    cost_rows: list[BasicDataRow]

    kind = "basic_data"


Form = DepartmentTarget | SpecialFundSummary | SpendingDirection | ProjectTarget | SelfEvaluation | BasicData


@dataclass
class WorkbookModel:
    """What was recognised in one workbook: its forms in sheet order, and the sheets that matched none."""

    path: str
    forms: list[Form]
    unrecognized: list[str]
    sheet_names: list[str]
    # What each form's reader made of its region (keyed by id of the form): see xlperf.forms.schema.Coverage.
    coverage: dict[int, Any] = field(default_factory=dict)
    # Unrecognised sheets that carry the official forms' labels: (label, row, column) of each.
    unreadable: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    # Sheets left out on purpose: hidden sheets, and the lists behind drop-downs.
    skipped: list[str] = field(default_factory=list)
    # Formulas the file holds without a value (written by a program, not Excel): per sheet, how many were
    # computed in memory before reading, and the cells (row, column) that could not be computed.
    computed: dict[str, int] = field(default_factory=dict)
    uncomputed: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Any]:
        return [f for f in self.forms if f.kind == kind]

    def coverage_of(self, form: Any) -> Any:
        return self.coverage.get(id(form))
