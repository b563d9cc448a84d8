"""The payroll sheet of a cycle: what a payroll clerk loads.

One row per employee and rating period; a column per cash pay kind (allowance, bonus,
commission …) and their cash total; what is accrued but not paid (long-term awards) in columns of
its own, never in the cash total; a totals row. Headers are in the reader's language, or fixed
codes (``codes=True``) for payroll systems that map columns by name. The XLSX writes money as
numbers with two decimals, freezes the header and sizes the columns; the CSV carries the same
rows. Every cell is made safe against formula injection (``engine.cells``). A second
XLSX sheet lists every pay line with the sentence that explains it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from callgrade.cycles.models import Cycle, PayLine
from callgrade.engine.cells import csv_value, xlsx_row
from callgrade.standards.labels import pay_kind_label, policy_labels

# kinds in the order payroll reads them; any other kind follows in name order
KIND_ORDER = (
    "allowance",
    "bonus",
    "commission",
    "instant_reward",
    "suggestion_award",
    "contest_prize",
    "deferral",
    "vesting",
    "long_term",
)
MONEY = "#,##0.00"


@dataclass
class PayrollRow:
    employee_id: str
    name: str
    department: str
    team: str
    position: str
    period: str
    cash: dict[str, Decimal] = field(default_factory=dict)
    accrued: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cash_total(self) -> Decimal:
        return sum(self.cash.values(), start=Decimal(0))

    @property
    def accrued_total(self) -> Decimal:
        return sum(self.accrued.values(), start=Decimal(0))


@dataclass
class Payroll:
    cash_kinds: list[str]
    accrued_kinds: list[str]
    rows: list[PayrollRow]
    position_names: dict[str, str] = field(default_factory=dict)  # in the reader's language

    def header(self, *, codes: bool) -> list[str]:
        if codes:
            fixed = ["employee_id", "name", "department", "team", "position", "period"]
            return [
                *fixed,
                *(f"cash_{k}" for k in self.cash_kinds),
                "cash_total",
                *(f"accrued_{k}" for k in self.accrued_kinds),
            ]
        return [
            _("Employee ID"),
            _("Name"),
            _("Department"),
            _("Team"),
            _("Position"),
            _("Period"),
            *(pay_kind_label(k) for k in self.cash_kinds),
            _("Cash total"),
            *(_("%(kind)s (accrued, not paid)") % {"kind": pay_kind_label(k)}
              for k in self.accrued_kinds),
        ]  # fmt: skip

    def table(self, *, codes: bool) -> list[list[Any]]:
        """The rows as cells (positions named, or as codes), then the totals row."""
        out: list[list[Any]] = []
        for r in self.rows:
            position = r.position if codes else self.position_names.get(r.position, r.position)
            out.append(
                [
                    r.employee_id, r.name, r.department, r.team, position, r.period,
                    *(r.cash.get(k, Decimal(0)) for k in self.cash_kinds),
                    r.cash_total,
                    *(r.accrued.get(k, Decimal(0)) for k in self.accrued_kinds),
                ]
            )  # fmt: skip
        width = len(self.header(codes=True))
        sums = [sum((row[i] for row in out), start=Decimal(0)) for i in range(6, width)]
        out.append([_("Total"), "", "", "", "", "", *sums])
        return out


def _kinds(kinds: set[str]) -> list[str]:
    return sorted(kinds, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k))


def payroll(cycle: Cycle) -> Payroll:
    lines = (
        PayLine.objects.filter(cycle=cycle)
        .select_related("employee__team__department")
        .order_by("employee__employee_id", "period", "id")
    )
    rows: dict[tuple[str, str], PayrollRow] = {}
    cash_kinds: set[str] = set()
    accrued_kinds: set[str] = set()
    for p in lines:
        e = p.employee
        key = (e.employee_id, p.period)
        if key not in rows:
            team = e.team
            rows[key] = PayrollRow(
                employee_id=e.employee_id,
                name=e.name,
                department=team.department.name if team and team.department else "",
                team=team.name if team else "",
                position=str(p.detail.get("position") or e.position),
                period=p.period,
            )
        bucket = rows[key].cash if p.cash else rows[key].accrued
        (cash_kinds if p.cash else accrued_kinds).add(p.kind)
        bucket[p.kind] = bucket.get(p.kind, Decimal(0)) + p.amount
    names = policy_labels(cycle, get_language() or "zh-hans")["positions"]
    return Payroll(_kinds(cash_kinds), _kinds(accrued_kinds), list(rows.values()), names)


def _lines(cycle: Cycle) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Employee ID"), _("Name"), _("Period"), _("Kind"), _("Rule"), _("Amount"),
        _("Paid in cash"), _("Explanation"),
    ]  # fmt: skip
    lines = PayLine.objects.filter(cycle=cycle).select_related("employee")
    rows = [
        [
            p.employee.employee_id, p.employee.name, p.period, pay_kind_label(p.kind), p.code,
            p.amount, _("yes") if p.cash else _("no (accrued)"), p.explanation,
        ]
        for p in lines.order_by("employee__employee_id", "period", "id")
    ]  # fmt: skip
    return header, rows


def payroll_xlsx(cycle: Cycle, *, codes: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = payroll(cycle)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Payroll")[:31]
    ws.append(xlsx_row(book.header(codes=codes)))
    for row in book.table(codes=codes):
        ws.append(xlsx_row(row))
    first_money = 7  # 1-based column of the first amount
    for column in ws.iter_cols(min_col=first_money, min_row=2):
        for cell in column:
            cell.number_format = MONEY
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    widths = [12, 10, 14, 16, 18, 10] + [14] * (ws.max_column - 6)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    ws.freeze_panes = "C2"
    detail = wb.create_sheet(_("Pay lines")[:31])
    header, rows = _lines(cycle)
    detail.append(xlsx_row(header))
    for row in rows:
        detail.append(xlsx_row(row))
    for cell in detail["F"][1:]:
        cell.number_format = MONEY
    detail.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def payroll_csv(cycle: Cycle, *, codes: bool = False) -> bytes:
    book = payroll(cycle)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow([csv_value(v) for v in book.header(codes=codes)])
    for row in book.table(codes=codes):
        out.writerow([csv_value(v) if isinstance(v, str) else f"{v:.2f}" for v in row])
    return buf.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the Chinese text
