"""Reads for the data pages (HR only: the views check before they call these)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from callgrade.loads.models import Load, Source
from callgrade.people.record_words import SOURCES

# Every warehouse table by the name people read (the KPI pages name most of them already).
TABLES: dict[str, Promise] = {
    **SOURCES,
    "roster": gettext_lazy("Roster"),
    "trainings": gettext_lazy("Training records"),
    "level_history": gettext_lazy("Level history"),
    "corrections": gettext_lazy("Corrections"),
}


def table_name(table: str) -> str:
    return str(TABLES.get(table, table))


def loads(*, origin: str = "") -> QuerySet[Load]:
    qs = Load.objects.select_related("created_by", "source", "undone_by")
    if origin in dict(Load.ORIGINS):
        qs = qs.filter(origin=origin)
    return qs


def sources() -> QuerySet[Source]:
    return Source.objects.all()


def rows_by_table(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(table_name(t), n) for t, n in sorted(counts.items())]


def mapping_choices(names: list[str]) -> list[tuple[str, str]]:
    """The shipped mappings by what they load ("surveys.yaml" → customer surveys)."""
    words = str(gettext_lazy("example mapping"))
    return [(n, f"{table_name(n.removesuffix('.yaml'))} — {words}") for n in names]
