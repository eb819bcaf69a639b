"""The arithmetic of a 测算说明: amount.unit_cost_mismatch and amount.text_calc_mismatch.

A 测算依据 text (附表3 支出明细及测算说明; a project's 资金用途) is read as people write it:

- sums of money: "建设补贴60万元；运营补贴144万元", in 万元 or 元 ("7800元" is 0.78 万元); a rate
  ("50元/人/月", "每人每月50元", "标准为650元") is no sum;
- products: "6900人×50元/人/月×12个月" (×, *, x, 乘), "33个城市社区，12万元/社区", "每人每月50元，共6900人"
  (a rate per month with no months written counts the profile's months);
- shares: "共计504万元，市区各配套50%", "其余306万元由市、区按1:1承担", "按1800万元的20%预算360万元" —
  the part of the level of government that fills the form (the profile's own levels).

What the text computes with a product or a share is compared with the line's amount, with the profile's
rounding tolerance: ``amount.unit_cost_mismatch``. Amounts that are only listed are added to the cent:
``amount.text_calc_mismatch`` (a hint: an item missing or mistyped), or ``amount.unit_cost_mismatch`` (a
warning) when they are off the line by more than the profile's ``calc_large_gap`` — the text then does not
compute this line's money at all. A text is left alone where it cannot be judged: an open list (…等), a
rate whose quantity is not written (unless what is written already exceeds the line), a share of another
level, a text that states the line's amount as its conclusion (实际批复金额为10万元).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from xlperf.amounts import cents
from xlperf.checks.sums import fmt, money
from xlperf.model import Field, ProjectTarget, SpendingDirection, WorkbookModel
from xlperf.profiles import NATIONAL, Profile
from xlperf.report import Finding
from xlperf.rules import finding

_NUM = r"(?<![\d.])\d{1,15}(?:\.\d{1,8})?(?![\d.]*\d)"
# A per-unit after an amount: "/人/月", "/月/人", "/人.月", "/人*月", "/年/家", "/社区".
_PER = r"(?:\s*[/／]\s*[\u4e00-\u9fff]{1,3}(?:\s*[/／.·*＊]\s*[\u4e00-\u9fff]{1,3})*)"
_MONEY = re.compile(rf"(?P<num>{_NUM})\s*(?P<unit>万元|万(?![人户个名位家张床次余多])|元)(?P<per>{_PER})?")
_COUNT = re.compile(rf"(?P<num>{_NUM})\s*(?P<counter>人次|人|户|名|位|家|个(?!月)|张|床|所|处|辆|套|间|社区|村)")
_MONTHS = re.compile(rf"(?P<num>{_NUM})\s*个月|(?P<a>\d{{1,2}})\s*[-—－~～至到]\s*(?P<b>\d{{1,2}})\s*月")
_PERCENT = re.compile(rf"(?P<num>{_NUM})\s*[%％]")
_RATIO = re.compile(r"(?<![\d.])(?P<parts>\d{1,3}(?:\s*[:：]\s*\d{1,3})+)(?![\d.])")
# An explicit product: factors joined by ×, *, x, 乘; terms by +; an optional "= result".
_FACTOR = rf"{_NUM}\s*(?:万元|万|元|[%％]|个月|月|人次|人|户|名|位|家|个|张|床|次|年)?{_PER}?"
_OP = r"\s*(?:[×xX*＊✕✖]|乘以|乘)\s*"
_TERM = rf"{_FACTOR}(?:{_OP}{_FACTOR})+"
_PRODUCT = re.compile(
    rf"(?P<expr>[（(]?\s*{_TERM}(?:\s*[+＋]\s*{_TERM})*\s*[）)]?(?:{_OP}{_FACTOR})*)"
    rf"(?:\s*[=＝]\s*(?P<result>{_NUM})\s*(?P<runit>万元|万|元))?"
)
_FACTOR_PARTS = re.compile(
    rf"(?P<num>{_NUM})\s*(?P<unit>万元|万|元|[%％]|个月|月|人次|人|户|名|位|家|个|张|床|次|年)?(?P<per>{_PER})?"
)
_SENTENCE = re.compile(r"[；;。\n]")
_CLAUSE = re.compile(r"[，,；;。\n]")
# Compound words that carry a level's character without naming a level (社区, 城市 …).
_NOT_LEVEL = re.compile(r"社区|辖区|小区|园区|景区|街区|片区|城区|城市|市场|区域|区划|县域|省定|市定|区定")


@dataclass
class Money:
    start: int
    end: int
    value: Decimal  # 万元
    written: str
    rate: bool = False
    per: str = ""
    used: bool = False  # taken into a product, as a product's stated result, or as a share's base


@dataclass
class Product:
    start: int
    end: int
    value: Decimal | None  # 万元; None: no unit of money in it
    shown: str
    stated: Money | None = None  # "= 414万元", or the amount written right after it


@dataclass
class Share:
    start: int
    end: int
    base: Money
    fraction: Decimal
    shown: str  # "504 × 50%"
    result: Money | None = None  # the amount written right after the share ("…的20%预算360万元")
    quoted: str = ""  # the clauses from the base to the share, as written


@dataclass
class Reading:
    """What a 测算 text says, as arithmetic."""

    text: str
    sums: list[Money] = field(default_factory=list)  # sums of money, not rates, not taken into a product
    rates: list[Money] = field(default_factory=list)  # rates whose quantity is not written
    products: list[Product] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)  # shares of the level that fills the form
    other_shares: int = 0  # shares written that are not this level's, or cannot be told


def _dec(s: str) -> Decimal | None:
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _wan(num: Decimal, unit: str) -> Decimal:
    return num / 10000 if unit == "元" else num


def _before(text: str, pos: int, n: int) -> str:
    """The ``n`` characters before ``pos`` within its clause."""
    start = max(0, pos - n)
    clause = _CLAUSE.split(text[start:pos])
    return clause[-1] if clause else ""


def read(text: str, profile: Profile = NATIONAL) -> Reading:
    """A 测算 text read as sums, products and shares (every amount in 万元)."""
    r = Reading(text)
    taken: list[tuple[int, int]] = []
    monies = [_money(m, text, profile) for m in _MONEY.finditer(text)]
    for m in _PRODUCT.finditer(text):
        p = _product(m)
        if p is None:
            continue
        r.products.append(p)
        taken.append((p.start, p.end))
    inside = [x for x in monies if any(a <= x.start < b for a, b in taken)]
    for x in inside:
        x.used = True
    free = [x for x in monies if not x.used]
    _pair_rates(text, free, taken, r, profile)
    _stated_results(text, free, r, profile)
    _shares(text, free, taken, r, profile)
    r.sums = [x for x in free if not x.rate and not x.used]
    r.rates = [x for x in free if x.rate and not x.used]
    return r


def _money(m: re.Match[str], text: str, profile: Profile) -> Money:
    num = _dec(m.group("num")) or Decimal(0)
    per = (m.group("per") or "").strip()
    lead = text[max(0, m.start() - 8) : m.start()]
    words = "|".join(re.escape(w) for w in profile.calc_rate_words)
    rate = bool(per) or bool(words and re.search(rf"(?:{words})[^，,；;。]{{0,4}}$", lead))
    if not per:
        every = re.search(r"每([\u4e00-\u9fff])(?:每?([\u4e00-\u9fff]))?[^，,；;。每]{0,4}$", lead)
        if every:
            per = "/".join(g for g in every.groups() if g)
    return Money(m.start(), m.end(), _wan(num, m.group("unit")), m.group(0).strip(), rate, per)


def _product(m: re.Match[str]) -> Product | None:
    expr = m.group("expr").strip()
    inner, tail = expr, ""
    close = max(expr.rfind(")"), expr.rfind("）"))
    if expr[:1] in "(（" and close > 0:
        inner, tail = expr[1:close], expr[close + 1 :]
    total: Decimal | None = Decimal(0)
    shown_terms = []
    for term in re.split(r"[+＋]", inner):
        value, unit_known, shown = _multiply(list(_FACTOR_PARTS.finditer(term)))
        if value is None:
            return None
        shown_terms.append(shown)
        if not unit_known:
            total = None
        elif total is not None:
            total += value
    shown = " + ".join(shown_terms)
    if tail.strip():
        scale, known, scale_shown = _multiply(list(_FACTOR_PARTS.finditer(tail)))
        if scale is None or known:
            return None
        shown = f"（{shown}）× {scale_shown}"
        total = None if total is None else total * scale
    stated = None
    if m.group("result"):
        num = _dec(m.group("result")) or Decimal(0)
        written = f"{m.group('result')}{m.group('runit')}"
        stated = Money(m.start("result"), m.end("runit"), _wan(num, m.group("runit")), written, used=True)
    if total is None and stated is not None and not tail.strip():
        # no unit of money among the factors: the product is read in 元 or in 万元, as its result agrees
        raw = _multiply_plain(inner)
        if raw is not None:  # the reading nearer its result: a wrong result is then told by how far it is
            total = min((raw / 10000, raw), key=lambda v: abs(v - stated.value))
            shown = f"{shown} 元" if total != raw else shown
    return Product(m.start(), m.end(), total, shown, stated)


def _multiply(factors: list[re.Match[str]]) -> tuple[Decimal | None, bool, str]:
    """The product of factors in 万元, whether a unit of money was among them, and how it is shown."""
    value = Decimal(1)
    money_units = 0
    shown = []
    for f in factors:
        num = _dec(f.group("num"))
        if num is None:
            return None, False, ""
        unit = f.group("unit") or ""
        if unit in ("%", "％"):
            num = num / 100
        elif unit in ("万元", "万", "元"):
            money_units += 1
            num = _wan(num, unit)
        value *= num
        shown.append(f.group(0).strip())
    if money_units > 1:
        return None, False, ""
    return value, money_units == 1, " × ".join(shown)


def _multiply_plain(text: str) -> Decimal | None:
    total = Decimal(0)
    for term in re.split(r"[+＋]", text):
        value = Decimal(1)
        for f in _FACTOR_PARTS.finditer(term):
            num = _dec(f.group("num"))
            if num is None:
                return None
            value *= num / 100 if (f.group("unit") or "") in ("%", "％") else num
        total += value
    return total


def _pair_rates(text: str, free: list[Money], taken: list[tuple[int, int]], r: Reading, profile: Profile) -> None:
    """Each rate with the quantity written next to it in its sentence: the first count after it (before the
    next amount), else the last count before it (after the previous amount)."""
    counts = [c for c in _COUNT.finditer(text) if not any(a <= c.start() < b for a, b in taken)]
    counts = [c for c in counts if not any(x.start <= c.start() < x.end for x in free)]
    claimed: set[int] = set()
    for i, x in enumerate(free):
        if not x.rate:
            continue
        sentence = _sentence_bounds(text, x.start)
        after_limit = min([y.start for y in free[i + 1 :]] + [sentence[1]])
        before_limit = max([y.end for y in free[:i]] + [sentence[0]])
        after = [c for c in counts if x.end <= c.start() < after_limit and c.start() not in claimed]
        before = [c for c in counts if before_limit <= c.start() < x.start and c.start() not in claimed]
        c = after[0] if after else before[-1] if before else None
        if c is None:
            continue
        n = _dec(c.group("num"))
        if n is None:
            continue
        claimed.add(c.start())
        months = Decimal(1)
        shown = [x.written, c.group(0).strip()]
        if "月" in x.per:
            written = _months(text[sentence[0] : sentence[1]])
            months = Decimal(written if written else profile.calc_months)
            shown.append(f"{months}个月" if written else f"{months}个月（未写月数，按{months}个月计）")
        x.used = True
        lo, hi = min(x.start, c.start()), max(x.end, c.end())
        r.products.append(Product(lo, hi, x.value * n * months, " × ".join(shown)))
    r.products.sort(key=lambda p: p.start)


def _months(sentence: str) -> int | None:
    m = _MONTHS.search(sentence)
    if not m:
        return None
    if m.group("num"):
        n = _dec(m.group("num"))
        return int(n) if n is not None and 0 < n <= 12 and n == int(n) else None
    a, b = int(m.group("a")), int(m.group("b"))
    return b - a + 1 if 1 <= a <= b <= 12 else None


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    starts = [m.end() for m in _SENTENCE.finditer(text, 0, pos)]
    end = _SENTENCE.search(text, pos)
    return (starts[-1] if starts else 0, end.start() if end else len(text))


def _stated_results(text: str, free: list[Money], r: Reading, profile: Profile) -> None:
    """An amount written right after a product ("…，共计396万元", "= 414万元") is its result, not one more item."""
    for p in r.products:
        if p.stated is not None:
            continue
        nxt = next((x for x in free if x.start >= p.end and not x.rate and not x.used), None)
        if nxt is None or _SENTENCE.search(text, p.end, nxt.start):
            continue
        between = text[p.end : nxt.start]
        if len(between) <= 12 and any(w in between for w in (*profile.calc_total_words, "=", "＝", "计", "即")):
            nxt.used = True
            p.stated = nxt


def _shares(text: str, free: list[Money], taken: list[tuple[int, int]], r: Reading, profile: Profile) -> None:
    found = [(m.start(), m.end(), "%", m) for m in _PERCENT.finditer(text)]
    found += [(m.start(), m.end(), ":", m) for m in _RATIO.finditer(text)]
    for start, end, kind, m in sorted(found, key=lambda t: t[0]):
        if any(a <= start < b for a, b in taken):
            continue
        clause_start = _clause_start(text, start)
        lead = text[clause_start:start]
        context = text[max(0, start - 8) : min(len(text), end + 6)]
        if kind == "%" and not any(w in context for w in profile.calc_share_words):
            continue
        sentence = _sentence_bounds(text, start)
        bases = [x for x in free if not x.rate and not x.used] + [_as_money(p) for p in r.products]
        base = max(
            (x for x in bases if x is not None and sentence[0] <= x.start and x.end <= start),
            key=lambda x: x.end,
            default=None,
        )
        if base is None:
            r.other_shares += 1
            continue
        levels = (
            _levels(lead, profile)
            or _levels(text[base.end : start], profile)
            or _levels(text[max(sentence[0], base.start - 12) : base.start], profile)
        )
        fraction = _fraction(kind, m, levels, lead, profile)
        if fraction is None:
            r.other_shares += 1
            continue
        base.used = True
        part = m.group(0).strip() if kind == "%" else fraction_text(fraction)
        shown = f"{plain(base.value)} × {part}"
        result = next((x for x in free if x.start >= end and not x.rate and not x.used), None)
        if result is not None and (
            _CLAUSE.search(text, end, result.start)
            or not any(w in text[end : result.start] for w in profile.calc_conclusion_words)
        ):
            result = None
        if result is not None:
            result.used = True
        quoted = text[_clause_start(text, base.start) : _clause_end(text, end)].strip()
        r.shares.append(Share(base.start, end, base, fraction, shown, result, quoted))


def _as_money(p: Product) -> Money | None:
    """A product as the base of a share: what the text says it comes to."""
    if p.stated is not None:
        return Money(p.start, p.end, p.stated.value, p.stated.written, used=True)
    return None if p.value is None else Money(p.start, p.end, p.value, p.shown, used=True)


def _clause_start(text: str, pos: int) -> int:
    starts = [m.end() for m in _CLAUSE.finditer(text, 0, pos)]
    return starts[-1] if starts else 0


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE.search(text, pos)
    return m.start() if m else len(text)


def plain(d: Decimal) -> str:
    """A number as people write it (504, 19.8): no trailing zeros."""
    return f"{cents(d).normalize():f}"


def _gap(computed: Decimal, line: Decimal) -> str:
    """ "多 7.00 万元" / "少 7.00 万元": how the computed amount stands to the line."""
    diff = cents(computed) - cents(line)
    return f"{'多' if diff > 0 else '少'} {fmt(abs(diff))} 万元"


def _levels(window: str, profile: Profile) -> list[str]:
    """The levels of government a clause names, in order ("市、区" → 市, 区; "省市区" → 省, 市, 区)."""
    window = _NOT_LEVEL.sub("", window)
    pattern = "|".join(re.escape(w) for w in sorted(profile.calc_levels, key=len, reverse=True))
    return re.findall(pattern, window) if pattern else []


def _fraction(kind: str, m: re.Match[str], levels: list[str], lead: str, profile: Profile) -> Decimal | None:
    """This level's part of a share, or None when the share is another level's or cannot be told."""
    own = [i for i, lv in enumerate(levels) if lv in profile.calc_own_levels]
    if levels and not own:
        return None  # 省按……的25%: another level's part
    if kind == "%":
        p = _dec(m.group("num"))
        return None if p is None or not 0 < p <= 100 else p / 100
    parts = [Decimal(x) for x in re.split(r"\s*[:：]\s*", m.group("parts"))]
    if any(p <= 0 for p in parts):
        return None
    if len(levels) == len(parts) and own:
        return parts[own[-1]] / sum(parts)
    if len(set(parts)) == 1:
        return Decimal(1) / len(parts)
    return None


def fraction_text(f: Decimal) -> str:
    pct = f * 100
    return f"{pct.normalize():f}%" if pct == pct.quantize(Decimal("0.01")) else f"{cents(pct):f}%"


# --- the verdicts ----------------------------------------------------------------------------------------------


def _near(a: Decimal, b: Decimal, profile: Profile) -> bool:
    """Equal to the cent, or within the profile's rounding share of the line ``b``."""
    gap = abs(cents(a) - cents(b))
    return gap <= max(Decimal("0.01"), abs(b) * profile.calc_rounding)


def _lines(model: WorkbookModel) -> Iterator[tuple[Field[str], Field[Decimal]]]:
    """Every 测算 text with the amount it accounts for."""
    for form in model.forms:
        if isinstance(form, SpendingDirection):
            for d in form.details:
                text = d.basis if d.basis.text.strip() else d.detail
                if text.text.strip() and d.amount.value is not None:
                    yield text, d.amount
        elif isinstance(form, ProjectTarget) and form.purpose.text.strip() and form.budget.value is not None:
            yield form.purpose, form.budget


def _line(amount: Field[Decimal]) -> str:
    return money(amount.value, amount.unit or "万元")


def unit_cost(at: Field[str], amount: Field[Decimal], r: Reading, profile: Profile) -> list[Finding]:
    """amount.unit_cost_mismatch: what the text computes with its products and shares, against the line."""
    line = amount.value
    if line is None:
        return []
    out = []
    for p in r.products:  # a product against the result the text writes beside it
        if p.value is not None and p.stated is not None and not _near(p.value, p.stated.value, profile):
            out.append(
                finding(
                    "amount.unit_cost_mismatch",
                    at,
                    f"测算说明的算式 {p.shown} = {fmt(p.value)} 万元，文中却写“{p.stated.written}”："
                    f"请改正算式中的数量、标准或月数，或把结果改为 {fmt(p.value)} 万元",
                    expected=cents(p.value),
                    actual=cents(p.stated.value),
                )
            )
    if out:
        return out
    if r.shares:
        s = r.shares[-1]
        computed = s.base.value * s.fraction
        known = [s.base.value, computed] + ([s.result.value] if s.result else [])
        if any(_near(v, line, profile) for v in known):
            if s.result is None or _near(computed, s.result.value, profile):
                return []
            return [
                finding(
                    "amount.unit_cost_mismatch",
                    at,
                    f"测算说明写 {s.shown} = {fmt(computed)} 万元，文中却写“{s.result.written}”：请改正分担比例或结果",
                    expected=cents(computed),
                    actual=cents(s.result.value),
                )
            ]
        return [
            finding(
                "amount.unit_cost_mismatch",
                at,
                f"测算说明“{s.quoted}”：{s.shown} = {fmt(computed)} 万元，比该行金额 {_line(amount)}"
                f"{_gap(computed, line)}。请把该行金额改为 {fmt(computed)} 万元，"
                f"或改正测算说明中的金额或分担比例，使其算出本行金额",
                expected=cents(computed),
                actual=cents(line),
            )
        ]
    if not r.products or r.other_shares:
        return []
    stated = [x for x in r.sums if _is_total(r.text, x, profile)]
    parts = [p.value for p in r.products] + [x.value for x in r.sums if x not in stated]
    if any(v is None for v in parts) or any(_is_conclusion(r.text, x, profile) for x in r.sums):
        return []
    computed = sum((v for v in parts if v is not None), Decimal(0))
    if _near(computed, line, profile) or (r.rates and computed < line):
        return []  # right, or a rate whose quantity is not written may make up the rest
    shown = " + ".join([p.shown for p in r.products] + [x.written for x in r.sums if x not in stated])
    unpaired = f"（另有“{r.rates[0].written}”未写数量）" if r.rates else ""
    return [
        finding(
            "amount.unit_cost_mismatch",
            at,
            f"测算说明算出 {shown} = {fmt(computed)} 万元{unpaired}，比该行金额 {_line(amount)}"
            f"{_gap(computed, line)}。请把该行金额改为 {fmt(computed)} 万元，或改正测算说明中的数量、标准或月数",
            expected=cents(computed),
            actual=cents(line),
        )
    ]


def _is_total(text: str, x: Money, profile: Profile) -> bool:
    lead = text[max(0, x.start - 6) : x.start]
    return any(re.search(re.escape(w) + r"\s*(?:为|约)?\s*$", lead) for w in profile.calc_total_words)


def _is_conclusion(text: str, x: Money, profile: Profile) -> bool:
    lead = _before(text, x.start, 10)
    return any(w in lead for w in profile.calc_conclusion_words)


def text_calc(at: Field[str], amount: Field[Decimal], r: Reading, profile: Profile) -> list[Finding]:
    """amount.text_calc_mismatch: the amounts a 测算 text lists (no product, no share) against the line, to the
    cent; off by more than ``calc_large_gap`` of the line, amount.unit_cost_mismatch (a warning)."""
    line = amount.value
    text = r.text
    if line is None or r.products or r.shares or r.other_shares or _open_list(text, profile):
        return []
    items = r.sums
    conclusion = [x for x in items if _is_conclusion(text, x, profile)]
    if conclusion:
        last = conclusion[-1]
        if cents(last.value) == cents(line) or last is not items[-1]:
            return []  # 实际批复金额为10万元: the text ends on the line's amount
        return [_text_finding(at, [last.value], line, "该行金额", profile, amount, single=last.written)]
    stated = [x for x in items if _is_total(text, x, profile)]
    if stated:
        total = stated[-1]
        parts = [x.value for x in items if x.start < total.start and x not in stated]
        if len(parts) >= 2 and cents(sum(parts, Decimal(0))) != cents(total.value):
            return [_text_finding(at, parts, total.value, "文中所写合计", profile, amount)]
        if cents(total.value) != cents(line) and len(parts) >= 2:
            return [_text_finding(at, parts, line, "该行金额", profile, amount)]
        return []
    if len(items) < 2:
        return []
    values = [x.value for x in items]
    if cents(values[0]) == cents(sum(values[1:], Decimal(0))):
        values = values[1:]  # a total followed by its breakdown
    s = sum(values, Decimal(0))
    if cents(s) == cents(line) or (r.rates and s < line):
        return []  # adds up, or a rate whose quantity is not written may make up the rest
    return [_text_finding(at, values, line, "该行金额", profile, amount, rates=r.rates)]


def _open_list(text: str, profile: Profile) -> bool:
    return any(re.search(re.escape(w) + r"(?![级于同额次])", text) for w in profile.calc_open_list_words)


def _text_finding(
    at: Field[str],
    parts: list[Decimal],
    total: Decimal,
    what: str,
    profile: Profile,
    amount: Field[Decimal],
    single: str = "",
    rates: list[Money] | None = None,
) -> Finding:
    s = sum(parts, Decimal(0))
    items = " + ".join(plain(v) for v in parts)
    listed = f"测算说明写“{single}”" if single else f"测算说明列出的金额 {items} = {fmt(s)} 万元"
    target = f"{what} {_line(amount)}" if what == "该行金额" else f"{what} {fmt(total)} 万元"
    unpaired = f"（另有“{rates[0].written}”未写数量）" if rates else ""
    large = what == "该行金额" and total != 0 and abs(s - total) > abs(total) * profile.calc_large_gap
    if large:
        times = f"是该行金额的 {cents(s / total):f} 倍" if s > total else f"只有该行金额的 {fraction_text(s / total)}"
        return finding(
            "amount.unit_cost_mismatch",
            at,
            f"{listed}{unpaired}，{times}（{_line(amount)}）：测算说明没有算出本行的钱。"
            f"请按“数量 × 标准（× 本级分担比例）”写明本行 {fmt(total)} 万元是怎样算出的，或改正该行金额",
            expected=cents(total),
            actual=cents(s),
        )
    fix = "请补全或改正所列各项，" + (
        "使其与合计一致" if what != "该行金额" else f"使其合计为 {fmt(total)} 万元，或改正该行金额"
    )
    return finding(
        "amount.text_calc_mismatch",
        at,
        f"{listed}{unpaired}，比{target}{_gap(s, total)}。{fix}",
        expected=cents(total),
        actual=cents(s),
    )


def check_line(at: Field[str], amount: Field[Decimal], profile: Profile = NATIONAL) -> list[Finding]:
    """Both rules on one 测算 text and the amount it accounts for."""
    r = read(at.text, profile)
    return unit_cost(at, amount, r, profile) + text_calc(at, amount, r, profile)


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    out: list[Finding] = []
    for text, amount in _lines(model):
        out += check_line(text, amount, profile)
    return out
