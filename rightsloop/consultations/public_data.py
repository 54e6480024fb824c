"""What consultations publish (O2, O3): for each published consultation, the responses under each final theme and
the decision standing on it: the "what we heard, what we did" page (views/public.py) as a table.

Only consultations whose public page is published count, those whose engagement started in [start, end); a
theme's responses are its `size`, the figure the public page shows. A table has at most two dimensions, so the
theme is coded "<consultation id>:<theme id>" and labelled "<consultation title> — <theme label>": both words the
public page already shows (the analyst's confirmed label of a final theme), nothing else. A consultation taken
off line loses its labels at once (the code alone is shown) and its rows at the next release.
"""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from rightsloop.core.registry import PublicTable
from rightsloop.engagements.vocabulary import Outcome

from .models import Theme, ThemeStatus

UNDECIDED = "undecided"


def _published_themes():
    # A label no person wrote or confirmed is never published (loop.theme_outcomes), here neither.
    return Theme.objects.filter(status=ThemeStatus.FINAL, consultation__published=True,
                                label_confirmed_at__isnull=False)


def label(dimension: str, code: str) -> str:
    if dimension == "outcome":
        return str(_("Not decided yet")) if code == UNDECIDED else str(dict(Outcome.choices).get(code, code))
    if dimension == "theme":
        consultation_id, _sep, theme_id = code.partition(":")
        if not (consultation_id.isdigit() and theme_id.isdigit()):
            return code
        found = (_published_themes().filter(pk=int(theme_id), consultation_id=int(consultation_id))
                 .values_list("consultation__engagement__title", "label").first())
        return f"{found[0]} — {found[1]}" if found else code
    return code


def responses_by_theme(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    rows = (_published_themes().filter(consultation__organisation=organisation,
                                       consultation__engagement__starts_on__gte=start,
                                       consultation__engagement__starts_on__lt=end)
            .order_by().values("consultation_id", "id", "outcome").annotate(n=Sum("size")))
    return [{"theme": f"{row['consultation_id']}:{row['id']}", "outcome": row["outcome"] or UNDECIDED,
             "responses": row["n"] or 0} for row in rows]


TABLES = (
    PublicTable(
        key="consultation-themes", order=30, section="consultations", label=label, rows=responses_by_theme,
        title=_("Public consultations: what we heard, what we did"),
        description=_("For each published public consultation that started in the period, the responses under each "
                      "of its final themes and the decision taken on the theme, as on the consultation's public "
                      "page. A response may fall under several themes."),
        dimensions=(("theme", _("Theme"), _("Consultation and theme, coded <consultation id>:<theme id>; the label "
                                            "reads “consultation title — theme”.")),
                    ("outcome", _("Decision"), _("adopted, partly_adopted, not_adopted, under_consideration or "
                                                 "undecided."))),
        measure=("responses", _("Responses"), _("Number of responses under the theme."))),
)
