"""Reads of rating rounds and ratings, scoped to what the viewer may see.

Two kinds of read: aggregates (anyone with RELATIONSHIPS_VIEW; groups smaller than the organisation's
threshold hidden) and one stakeholder's own answers (the relationship's owner and RATINGS_INDIVIDUAL only).
People hidden from the viewer (high safety, no grant) are left out of both: not even a count tells of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import countries
from rightsloop.core.access import plausible_id
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.queries import hidden_from
from rightsloop.stakeholders.vocabulary import Kind

from .models import (
    DIMENSIONS,
    SMALLEST_GROUP,
    Rating,
    RatingFlag,
    RatingInvitation,
    RatingRound,
    RatingSettings,
    RatingTally,
)

BREAKDOWNS = ("kind", "region", "global_south")
TREND_ROUNDS = 12


def smallest_group(organisation) -> int:
    found = RatingSettings.objects.filter(organisation=organisation).values_list("smallest_group", flat=True).first()
    return found or SMALLEST_GROUP


def owners_of(stakeholder: Stakeholder) -> list:
    """Who hears about this relationship: its owner, else the organisation's human rights leads."""
    from .queries import owner_of

    return owner_of(stakeholder)


# Who may see one stakeholder's own ratings ------------------------------------------------------------

def _individually(viewer: Viewer, path: str) -> Q:
    """Rows (reached through `path` to a stakeholder) whose person's own ratings the viewer may read: all for
    the human rights lead, else the relationships they own; never a person hidden from them."""
    hidden_ids = _hidden_ids(viewer)
    hidden = ~Q(**{f"{path}__in": hidden_ids}) if hidden_ids else Q()
    if viewer.can(Capability.RATINGS_INDIVIDUAL):
        return hidden
    return hidden & Q(**{f"{path}__relationship__owner": viewer.user})


def individually_visible(viewer: Viewer) -> QuerySet[Stakeholder]:
    """Stakeholders whose own ratings this viewer may read: the ones whose relationship they own, or all for
    the human rights lead; never a person hidden from them."""
    if not viewer.can(Capability.RELATIONSHIPS_VIEW):
        return Stakeholder.objects.none()
    hidden = hidden_from(viewer).values("pk")
    people = Stakeholder.objects.for_organisation(viewer.organisation).exclude(pk__in=hidden)
    if viewer.can(Capability.RATINGS_INDIVIDUAL):
        return people
    return people.filter(relationship__owner=viewer.user)


def may_see_individual(viewer: Viewer, stakeholder: Stakeholder) -> bool:
    return individually_visible(viewer).filter(pk=stakeholder.pk).exists()


def access_rated_stakeholder(viewer: Viewer, pk) -> Stakeholder:
    """The stakeholder whose own ratings the viewer asks for; 404 for missing, foreign and not-theirs alike."""
    if not plausible_id(pk):
        raise Http404
    found = individually_visible(viewer).filter(pk=pk, erased_at=None).first()
    if found is None:
        raise Http404
    return found


def visible_ratings(viewer: Viewer) -> QuerySet[Rating]:
    if not viewer.can(Capability.RELATIONSHIPS_VIEW):
        return Rating.objects.none()
    return (Rating.objects.for_organisation(viewer.organisation).filter(_individually(viewer, "stakeholder"))
            .select_related("round", "stakeholder"))


def ratings_of(stakeholder: Stakeholder) -> list[Rating]:
    """One stakeholder's answers, oldest round first (their trend)."""
    return list(Rating.objects.filter(stakeholder=stakeholder).select_related("round", "stakeholder")
                .order_by("round__opens_on", "round_id"))


# Rounds -----------------------------------------------------------------------------------------------

def _hidden_ids(viewer: Viewer) -> list[int]:
    """The ids of the people hidden from the viewer (high safety, no grant): few, read from an index."""
    return list(hidden_from(viewer).order_by().values_list("pk", flat=True))


def rounds(viewer: Viewer) -> QuerySet[RatingRound]:
    if not viewer.can(Capability.RELATIONSHIPS_VIEW):
        return RatingRound.objects.none()
    return RatingRound.objects.for_organisation(viewer.organisation).order_by("-opens_on", "-id")


def with_counts(viewer: Viewer, found: list[RatingRound]) -> list[RatingRound]:
    """Set `invited` and `answered` on each round: its stored counters less the people hidden from the viewer
    (a handful at most, counted in one query), so not even a count tells of them."""
    hidden = dict.fromkeys((r.pk for r in found), (0, 0))
    hidden_ids = _hidden_ids(viewer)
    rows = (RatingInvitation.objects.filter(round__in=[r.pk for r in found], stakeholder_id__in=hidden_ids)
            .values("round_id").annotate(n=Count("id"), a=Count("id", filter=Q(answered=True))).order_by()
            ) if hidden_ids and found else []
    for row in rows:
        hidden[row["round_id"]] = (row["n"], row["a"])
    for round in found:
        round.invited = round.invited_count - hidden[round.pk][0]
        round.answered = round.answered_count - hidden[round.pk][1]
    return found


def access_round(viewer: Viewer, pk, *, for_update: bool = False) -> RatingRound:
    if (for_update and not viewer.can(Capability.RELATIONSHIPS_EDIT)) or not plausible_id(pk):
        raise Http404
    found = rounds(viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return with_counts(viewer, [found])[0]


def invitations_shown(viewer: Viewer, round: RatingRound) -> QuerySet[RatingInvitation]:
    """Who was asked and whether they answered, only for the people whose own ratings the viewer may see."""
    if not viewer.can(Capability.RELATIONSHIPS_VIEW):
        return RatingInvitation.objects.none()
    return (RatingInvitation.objects.filter(_individually(viewer, "stakeholder"), round=round)
            .select_related("stakeholder").order_by("answered", "stakeholder_id"))


def open_rounds_for(stakeholder: Stakeholder, day) -> list[tuple[RatingRound, Rating | None]]:
    """The portal's rounds open to this stakeholder now, each with their answer so far."""
    found = list(RatingRound.objects.open_on(day).filter(
        organisation_id=stakeholder.organisation_id, invitations__stakeholder=stakeholder).order_by("closes_on", "id"))
    answers = {r.round_id: r for r in Rating.objects.filter(stakeholder=stakeholder, round__in=found)
               .select_related("stakeholder")}
    return [(round, answers.get(round.pk)) for round in found]


def access_portal_round(stakeholder: Stakeholder, pk, day) -> RatingRound:
    """A round open now that this stakeholder was asked in; 404 otherwise (someone else's, closed, foreign)."""
    if not plausible_id(pk):
        raise Http404
    found = RatingRound.objects.open_on(day).filter(
        pk=pk, organisation_id=stakeholder.organisation_id, invitations__stakeholder=stakeholder).first()
    if found is None:
        raise Http404
    return found


def is_invited(stakeholder: Stakeholder) -> bool:
    return RatingInvitation.objects.filter(stakeholder=stakeholder).exists()


# Flags ------------------------------------------------------------------------------------------------

def open_flags(viewer: Viewer) -> QuerySet[RatingFlag]:
    """Flags not yet marked seen on relationships whose ratings the viewer may read."""
    if not viewer.can(Capability.RELATIONSHIPS_VIEW):
        return RatingFlag.objects.none()
    return (RatingFlag.objects.for_organisation(viewer.organisation)
            .filter(_individually(viewer, "stakeholder"), seen_at=None)
            .select_related("rating__round", "stakeholder").order_by("-created_at", "-id"))


def access_flag(viewer: Viewer, pk) -> RatingFlag:
    if not plausible_id(pk) or not viewer.can(Capability.RELATIONSHIPS_EDIT):
        raise Http404
    found = (RatingFlag.objects.for_organisation(viewer.organisation)
             .filter(_individually(viewer, "stakeholder"), pk=pk).first())
    if found is None:
        raise Http404
    return found


# Aggregates -------------------------------------------------------------------------------------------

@dataclass
class Cell:
    """Answers of one group in one round: shown only when at least `smallest` people answered."""

    count: int
    sums: dict[str, int]
    shown: bool = True

    def average(self, dimension: str) -> float | None:
        if not self.shown or not self.count:
            return None
        return round(self.sums[dimension] / self.count, 2)

    @property
    def averages(self) -> dict[str, float | None]:
        return {name: self.average(name) for name in DIMENSIONS}

    @property
    def overall(self) -> float | None:
        if not self.shown or not self.count:
            return None
        return round(sum(self.sums.values()) / (self.count * len(DIMENSIONS)), 2)


@dataclass
class Breakdown:
    """One way of splitting the raters (kind, region, Global South), group by group, round by round."""

    key: str
    groups: list[tuple[str, str]]  # (code, label)
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)

    def cell(self, round_id: int, code: str) -> Cell | None:
        return self.cells.get((round_id, code))


@dataclass
class Trend:
    rounds: list[RatingRound]
    smallest: int
    overall: dict[int, Cell]
    breakdowns: dict[str, Breakdown]


def _group_code(key: str, row: dict) -> str:
    if key == "kind":
        return row["kind"] or "unknown"
    if key == "region":
        return row["region_code"] or "unknown"
    return row["global_south"] or "unknown"


def _group_label(key: str, code: str) -> str:
    from django.utils.translation import gettext as _

    if code == "unknown":
        return _("Not recorded")
    if key == "kind":
        return str(Kind(code).label) if code in Kind.values else code
    if key == "region":
        return countries.area_name(code)
    return _("Global South") if code == "yes" else _("Global North")


def suppress(cells: list[Cell], smallest: int) -> None:
    """Hide every group under the threshold; if that hides exactly one group, hide the next smallest too.

    With the total shown, one hidden group could be recovered by subtracting the others from it (total
    minus the rest); a second hidden group stops that.
    """
    for cell in cells:
        cell.shown = cell.count >= smallest
    hidden = [cell for cell in cells if not cell.shown and cell.count]
    if len(hidden) == 1:
        others = sorted((cell for cell in cells if cell.shown and cell.count), key=lambda cell: cell.count)
        if others:
            others[0].shown = False


def trend(viewer: Viewer, *, round_ids: list[int] | None = None) -> Trend:
    """The organisation's ratings per round, overall and by kind, region and Global South, with small groups
    hidden. One GROUP BY over the running tallies (a few hundred rows whatever the number of ratings); Python
    only adds up the groups."""
    organisation = viewer.organisation
    smallest = smallest_group(organisation)
    chosen = list(RatingRound.objects.for_organisation(organisation).order_by("-opens_on", "-id")
                  [:TREND_ROUNDS]) if round_ids is None else list(
        RatingRound.objects.for_organisation(organisation).filter(pk__in=round_ids).order_by("-opens_on", "-id"))
    chosen.reverse()
    ids = [r.pk for r in chosen]
    # The running tallies, summed per group in the database, less the answers of anyone hidden from the
    # viewer (a handful of rows read through the stakeholder index).
    rows = list(RatingTally.objects.filter(organisation=organisation, round_id__in=ids)
                .values("round_id", "kind", "region_code", "global_south")
                .annotate(n=Sum("answers"), **{f"sum_{name}": Sum(name) for name in DIMENSIONS}).order_by())
    hidden_ids = _hidden_ids(viewer)
    # By (round, stakeholder), the unique index: never a scan of the round's ratings.
    hidden = list(Rating.objects.filter(round_id__in=ids, stakeholder_id__in=hidden_ids)
                  .values("round_id", "kind", "region_code", "global_south", *DIMENSIONS)) if hidden_ids else []
    for row in hidden:
        rows.append({**{key: row[key] for key in ("round_id", "kind", "region_code")},
                     "global_south": {True: "yes", False: "no"}.get(row["global_south"], ""), "n": -1,
                     **{f"sum_{name}": -row[name] for name in DIMENSIONS}})
    overall: dict[int, Cell] = {pk: Cell(0, dict.fromkeys(DIMENSIONS, 0)) for pk in ids}
    groups: dict[str, dict[tuple[int, str], Cell]] = {key: {} for key in BREAKDOWNS}
    for row in rows:
        targets = [overall[row["round_id"]]]
        for key in BREAKDOWNS:
            code = _group_code(key, row)
            targets.append(groups[key].setdefault((row["round_id"], code), Cell(0, dict.fromkeys(DIMENSIONS, 0))))
        for cell in targets:
            cell.count += row["n"]
            for name in DIMENSIONS:
                cell.sums[name] += row[f"sum_{name}"] or 0
    for cell in overall.values():
        cell.shown = cell.count >= smallest
    breakdowns = {}
    for key in BREAKDOWNS:
        codes = sorted({code for (_round, code) in groups[key]}, key=lambda code: (code == "unknown", code))
        for round_id in ids:
            suppress([cell for (pk, _code), cell in groups[key].items() if pk == round_id], smallest)
        breakdowns[key] = Breakdown(key=key, groups=[(code, _group_label(key, code)) for code in codes],
                                    cells=groups[key])
    return Trend(rounds=chosen, smallest=smallest, overall=overall, breakdowns=breakdowns)


def previous_rating(rating: Rating) -> Rating | None:
    """The same stakeholder's answer in the round before this one (by opening date), if they gave one."""
    return (Rating.objects.filter(stakeholder_id=rating.stakeholder_id)
            .filter(Q(round__opens_on__lt=rating.round.opens_on)
                    | Q(round__opens_on=rating.round.opens_on, round_id__lt=rating.round_id))
            .order_by("-round__opens_on", "-round_id").first())

