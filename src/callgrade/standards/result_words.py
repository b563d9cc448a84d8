"""Stored results in the reader's words: a grading condition, its evidence, a decision's reason and
a pay line's explanation, rendered from the structured columns the engine stores with each row
(rule, condition reference, actual, required, basis, rate, amount) and the cycle's standard.

The engine also writes an English sentence into every row for the command line and the exports
of record; pages never show it: they render the same parameters here, in either language, with the
standard's own names for positions, levels and KPIs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import CompetencyCondition, Condition, GradingRules
from callgrade.engine.scoring.grade import required_proficiency
from callgrade.standards.text import OPS, condition_text, kpi_label, text

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}


def _zh(lang: str) -> bool:
    return lang.startswith("zh")


def money(amount: Any, currency: str, digits: int = 2) -> str:
    """``¥1,234.50``: the currency's symbol (its ISO code where it has none we know)."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "—"
    symbol = SYMBOLS.get(currency, currency + " ")
    value = float(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.{digits}f}"


def _figure(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.3f}".rstrip("0").rstrip(".")


_REQUIRED = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(.*)$")
_RANKED = re.compile(r"^(top|bottom|first|last) (\S+?)(%?)$")
_RANKED_ZH = {"top": "前", "first": "前", "bottom": "后", "last": "后"}


def required_text(required: str, lang: str, policy: Policy | None = None) -> str:
    """What a condition needs, as the engine stored it, in the reader's words: ``>= 55.0`` as
    "at least 55.0" / "不低于 55.0"; a rank quota ``top 10%`` / ``last 3`` as "前 10%" / "后 3 名"
    in Chinese; required trainings ``all of a, b`` by the standard's names of them (``policy``),
    never their codes."""
    required = required or ""
    zh = _zh(lang)
    m = _REQUIRED.match(required)
    if m:
        return f"{OPS[m.group(1)]['zh' if zh else 'en']} {m.group(2)}"
    m = _RANKED.match(required)
    if m and zh:
        where, n, percent = m.groups()
        return f"{_RANKED_ZH[where]} {n}{percent or ' 名'}"
    if required.startswith("all of "):
        codes = [c.strip() for c in required[len("all of ") :].split(",") if c.strip()]
        names = {t.code: text(t.label, lang) for t in policy.trainings} if policy else {}
        said = [names.get(c, c.replace("_", " ")) for c in codes]
        return "全部完成：" + "、".join(said) if zh else "all of: " + ", ".join(said)
    return required or "—"


def _rules(policy: Policy, rule_set: str | None) -> GradingRules | None:
    return next((r for r in policy.grading if r.code == rule_set), None)


def _located(
    policy: Policy, rules: GradingRules, rule: str, ref: str, stored: str
) -> tuple[Condition | None, str | None, bool]:
    """The policy condition a stored row evaluated: (condition, the level whose indicator table or
    required proficiency it comes from, whether it is a required proficiency)."""
    group = getattr(rules, rule, None)
    conds: tuple[Condition, ...] = ()
    if group is not None:
        conds = group.all if rule == "promotion" else group.any
    parts = ref.split(".")
    level = stored.split(":", 1)[0] if ":" in stored else None
    try:
        ci = int(parts[0])
        if len(parts) == 1:
            return conds[ci], None, False
        if len(parts) == 2:
            table = next(t for t in rules.levels if t.level == level)
            return table.indicators[int(parts[1])], level, False
        position, ii = parts[1], int(parts[2])
        minimums = required_proficiency(policy, rules)[(position, level or "")]
        competency, value = list(minimums.items())[ii]
        need = CompetencyCondition(kind="competency", competency=competency, op=">=", value=value)
        return need, level, True
    except (ValueError, IndexError, KeyError, StopIteration):
        return None, level, False


def condition_sentence(
    row: Mapping[str, Any],
    policy: Policy,
    rule_set: str | None,
    levels: Mapping[str, str],
    lang: str,
) -> str:
    """A checklist or criteria row's condition in words (``row``: its stored detail)."""
    rules = _rules(policy, rule_set)
    stored = str(row.get("condition") or "")
    if rules is None:
        return stored
    cond, level, proficiency = _located(
        policy, rules, str(row.get("rule")), str(row.get("condition_ref")), stored
    )
    if cond is None:
        return stored
    out = condition_text(cond, policy, lang)
    if proficiency:
        out += "（岗位要求的熟练度）" if _zh(lang) else " (required proficiency)"
    if level:
        name = levels.get(level, level)
        out = f"{name}：{out}" if _zh(lang) else f"{name}: {out}"
    return out


def evidence_sentence(row: Mapping[str, Any], lang: str, policy: Policy | None = None) -> str:
    """What was found against what was needed, e.g. "实际 1，要求不低于 2"."""
    need = required_text(str(row.get("required") or ""), lang, policy)
    have = _figure(row.get("actual"))
    return f"实际 {have}，要求{need}" if _zh(lang) else f"found {have}, needs {need}"


def _first(rows: Iterable[Mapping[str, Any]], rule: str, holds: bool) -> list[Mapping[str, Any]]:
    return sorted(
        (r for r in rows if r.get("rule") == rule and bool(r.get("holds")) == holds),
        key=lambda r: str(r.get("condition_ref")),
    )


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\?")


def decision_sentence(
    decision: Mapping[str, Any],
    criteria: list[Mapping[str, Any]],
    policy: Policy,
    levels: Mapping[str, str],
    lang: str,
) -> str:
    """Why the engine proposed a decision, from its action, its target level and the criteria rows
    it was decided on (the engine's English reason names the case)."""
    zh = _zh(lang)
    reason = str(decision.get("reason") or "")
    rule_set = decision.get("rule_set")
    target = levels.get(str(decision.get("level_to")), str(decision.get("level_to") or ""))

    def conditions(rows: list[Mapping[str, Any]], with_evidence: bool = True) -> str:
        said = []
        for r in rows:
            s = condition_sentence(r, policy, rule_set, levels, lang)
            if with_evidence:
                s += (
                    f"（{evidence_sentence(r, lang, policy)}）"
                    if zh
                    else f" ({evidence_sentence(r, lang, policy)})"
                )
            said.append(s)
        return ("；" if zh else "; ").join(said)

    if reason.startswith("promotion to "):
        name = levels.get(reason[len("promotion to ") :].split(":")[0], target)
        missing = conditions(_first(criteria, "promotion", False))
        return (
            f"晋升至{name}尚缺：{missing}" if zh else f"Promotion to {name} still needs: {missing}"
        )
    if reason.startswith("all promotion conditions hold"):
        return f"满足晋升至{target}的全部条件" if zh else f"Every condition for {target} holds"
    if reason.startswith(("demotion:", "retraining:")):
        rule = "demotion" if reason.startswith("demotion") else "retraining"
        why = conditions(_first(criteria, rule, True)[:1])
        lowest = reason.endswith("(already at the lowest level)")
        if zh:
            head = "触发降级条件" if rule == "demotion" else "触发回炉培训条件"
            return f"{head}：{why}" + ("（已是最低级别）" if lowest else "")
        head = (
            "A demotion condition holds" if rule == "demotion" else "A retraining condition holds"
        )
        return f"{head}: {why}" + (" (already at the lowest level)" if lowest else "")
    if reason.startswith(("probation ended on", "on probation until")):
        day = (_DATE.findall(reason) or ["?"])[-1]
        if reason.startswith("probation ended"):
            return f"试用期于 {day} 结束" if zh else f"Probation ended on {day}"
        return f"试用期至 {day}" if zh else f"On probation until {day}"
    if reason == "at the highest level":
        return "已是最高级别" if zh else "At the highest level"
    if reason in ("no rule applies", "no grading rules for this position"):
        return "没有适用的定级规则" if zh else "No grading rule applies"
    return reason


AWARD_KINDS = ("instant_reward", "suggestion_award", "contest_prize")


def pay_sentence(
    line: Mapping[str, Any],
    rating: str | None,
    policy: Policy,
    levels: Mapping[str, str],
    lang: str,
) -> str:
    """A pay line's arithmetic in words, from its stored basis, rate and amount."""
    zh = _zh(lang)
    cur = policy.currency
    kind, code = line.get("kind"), str(line.get("code") or "")
    amount, basis, rate = line.get("amount"), line.get("basis"), line.get("rate")
    level = levels.get(str(line.get("level")), str(line.get("level") or ""))
    if kind in AWARD_KINDS:  # lines the awards ledger adds (engagement.selectors)
        name = str(line.get("label_zh" if zh else "label_en") or code)
        n, got = int(line.get("count") or 0), money(amount, cur)
        if zh:
            return f"{name}：{n} 次奖励，合计 {got}"
        return f"{name}: {n} award{'s' if n != 1 else ''}, {got} in all"
    if kind == "allowance":
        m = money(amount, cur, 0)
        return (
            f"{level}级别津贴：每月 {m}" if zh else f"Allowance for the level {level}: {m} a month"
        )
    if kind == "bonus":
        base, k, got = money(basis, cur, 0), _figure(rate), money(amount, cur)
        r = rating or "—"
        if zh:
            return f"绩效奖金：基数 {base} × 评级 {r} 的系数 {k} = {got}"
        return f"Bonus: base {base} × coefficient {k} for rating {r} = {got}"
    if kind == "commission":
        com = next((c for c in policy.pay.commissions if c.code == code), None)
        what = kpi_label(com.kpi if com else "sales_revenue", lang)
        mode = (com.mode if com else "marginal") == "marginal"
        b, got = money(basis, cur), money(amount, cur)
        if zh:
            return f"销售提成：{what} {b}，按{'超额累进' if mode else '全额'}阶梯比例 = {got}"
        return f"Commission on {what} {b} at {'marginal' if mode else 'whole'} tier rates = {got}"
    if kind in ("deferral", "vesting"):
        return deferral_sentence(line, rating, policy, lang)
    if kind == "long_term":
        plan = next((p for p in policy.pay.long_term if p.code == code), None)
        name = text(plan.label, lang) if plan else code
        per_year = plan.amount_per_year if plan else 0.0
        years = math.floor((basis or 0.0) + 1e-9)
        vested = float(amount or 0.0) * float(rate or 0.0)
        acc, v, share = money(amount, cur, 0), money(vested, cur, 0), f"{float(rate or 0):.0%}"
        py = money(per_year, cur, 0)
        if zh:
            return f"{name}：满 {years} 年 × {py} = 累计计提 {acc}；已归属 {share} = {v}"
        unit = "full year" if years == 1 else "full years"
        return f"{name}: {years} {unit} × {py} = {acc} accrued; {share} vested = {v}"
    return str(line.get("explanation") or "")


def pay_rule_name(line: Mapping[str, Any], policy: Policy, lang: str) -> str:
    """The rule a pay line follows, by the standard's name for it."""
    kind, code = line.get("kind"), str(line.get("code") or "")
    if kind in AWARD_KINDS:
        return str(line.get("label_zh" if lang.startswith("zh") else "label_en") or code)
    if kind == "allowance":
        ladder = next((ld for ld in policy.ladders if ld.code == code), None)
        return text(ladder.label, lang) if ladder else code
    if kind == "long_term":
        plan = next((p for p in policy.pay.long_term if p.code == code), None)
        return text(plan.label, lang) if plan else code
    if kind in ("deferral", "vesting"):
        pool = next((p for p in policy.pay.deferred_bonus if p.code == code), None)
        return text(pool.label, lang) if pool else code
    if kind == "commission":
        com = next((c for c in policy.pay.commissions if c.code == code), None)
        return kpi_label(com.kpi, lang) if com else code
    return "—"


def deferral_sentence(
    line: Mapping[str, Any], rating: str | None, policy: Policy, lang: str
) -> str:
    """A deferred bonus line in words: what went into the pool and when it vests, or which
    steps of which deferrals vested (the steps the ledger stored in the line's detail)."""
    zh, cur = _zh(lang), policy.currency
    code = str(line.get("code") or "")
    pool = next((p for p in policy.pay.deferred_bonus if p.code == code), None)
    name = text(pool.label, lang) if pool else code
    steps = list(line.get("steps") or [])
    amount = abs(float(line.get("amount") or 0.0))
    got = money(amount, cur)
    if line.get("kind") == "deferral":
        when = ("；" if zh else "; ").join(
            f"{s['due_on']} {money(s['amount'], cur)}" for s in steps
        )
        if line.get("cash"):
            share = f"{float(line.get('rate') or 0.0) * 100:g}%"
            base = money(line.get("basis"), cur)
            if zh:
                return f"{name}：绩效奖金 {base} 的 {share} = {got} 计入递延账户，归属：{when}"
            return f"{name}: {share} of the bonus {base} = {got} deferred; vests {when}"
        r = rating or "—"
        if zh:
            return f"{name}：评级 {r} 计入递延账户 {got}，归属：{when}"
        return f"{name}: rating {r} puts {got} into the pool; vests {when}"
    parts = [
        (
            f"{s['source_period']} 递延（{money(s['deferred'], cur)}）"
            f"第 {s['step']}/{s['steps']} 期 {money(s['amount'], cur)}（{s['due_on']} 到期）"
            if zh
            else f"step {s['step']}/{s['steps']} of the {s['source_period']} deferral "
            f"({money(s['deferred'], cur)}): {money(s['amount'], cur)} due {s['due_on']}"
        )
        for s in steps
    ]
    if zh:
        return f"{name}：本期归属 " + "；".join(parts) + f"，合计 {got}"
    return f"{name} vested: " + "; ".join(parts) + f" = {got}"
