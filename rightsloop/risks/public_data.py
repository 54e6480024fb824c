"""What the risk register publishes (O2, O3): the open salient risks by right and severity band.

A stock, read at the end of the range: the risks created before `end` and not closed by then, rated as they are
rated today (the register keeps older ratings only as change records, as the board view says too). A risk
affecting several rights counts under each. Severity is banded as the heat map colours it (scales.py): severe
(11 to 15, formal reporting and a remedy plan required), serious (8 to 10) and moderate (3 to 7); the public
report uses the same words. Titles, products and descriptions are never read: a count per right and band only.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, Q, Value, When
from django.utils.translation import gettext_lazy as _

from rightsloop.core import rights
from rightsloop.core.periods import day_bounds
from rightsloop.core.registry import PublicTable

from . import scales
from .models import Risk, RiskRight

NO_RIGHT = "none"
# The lowest severity of the heat map's amber band (band 3): 8.
SERIOUS = min(severity for severity in range(3, 16) if scales.severity_band(severity) >= 3)
BANDS = (
    ("severe", _("Severe (severity 11 to 15)")),
    ("serious", _("Serious (severity 8 to 10)")),
    ("moderate", _("Moderate (severity 3 to 7)")),
)


def _band(field: str) -> Case:
    return Case(When(**{f"{field}__gte": scales.SEVERE}, then=Value("severe")),
                When(**{f"{field}__gte": SERIOUS}, then=Value("serious")), default=Value("moderate"))


def label(dimension: str, code: str) -> str:
    if dimension == "right":
        return str(_("No right recorded")) if code == NO_RIGHT else rights.name(code)
    if dimension == "band":
        return str(dict(BANDS).get(code, code))
    return code


def open_risks_by_right(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    _since, until = day_bounds(start, end)
    still_open = Risk.objects.for_organisation(organisation).filter(
        Q(created_at__lt=until) & (Q(closed_at__isnull=True) | Q(closed_at__gte=until)))
    by_right = (RiskRight.objects.filter(risk__in=still_open).order_by().annotate(band=_band("risk__severity"))
                .values("code", "band").annotate(n=Count("risk_id", distinct=True)))
    without = (still_open.filter(rights__isnull=True).order_by().annotate(band=_band("severity"))
               .values("band").annotate(n=Count("id")))
    return ([{"right": row["code"], "band": row["band"], "risks": row["n"]} for row in by_right]
            + [{"right": NO_RIGHT, "band": row["band"], "risks": row["n"]} for row in without])


TABLES = (
    PublicTable(
        key="salient-risks-by-right", order=20, section="salient_issues", label=label, rows=open_risks_by_right,
        title=_("Salient human rights risks by right and severity"),
        description=_("Salient risks open at the end of the period published, by the internationally recognised "
                      "right they affect and their severity (scale, scope and irremediability, 3 to 15), as rated "
                      "today. A risk affecting several rights counts under each."),
        dimensions=(("right", _("Right"), _("A code of the rights taxonomy shipped with Rightsloop "
                                            "(privacy, freedom_of_expression…), or none.")),
                    ("band", _("Severity"), _("severe (11 to 15), serious (8 to 10) or moderate (3 to 7)."))),
        measure=("risks", _("Salient risks"), _("Number of open salient risks."))),
)
