"""Analysis and themes (C2): runs, the theme set and its examples, the review queue, duplicate groups.

Thin over consultations.actions.analysis and .themes: each endpoint checks access, validates its body, calls the
action; a ValidationError becomes a 400 with details. Nothing here returns a respondent or a contact.
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability, Function
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages

from .. import queries
from .. import theme_queries as themes_q
from ..actions import analysis as runs
from ..actions import outcomes as outcome_actions
from ..actions import themes as actions
from ..actions.analysis import MAX_THEMES
from ..actions.themes import MAX_PARTS
from ..models import ThemeStatus
from . import router
from .consultations import require

Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Seed = Annotated[int, Field(ge=0, le=2**31 - 1)]
Label = Annotated[str, Field(min_length=1, max_length=200)]


class RunOut(Schema):
    id: int
    kind: str
    state: str
    stage: str
    parameters: dict
    stage_seconds: dict
    message: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


class ThemeOut(Schema):
    id: int
    label: str
    description: str
    status: str
    key_terms: list[str]
    size: int
    languages: dict[str, int]
    stance: dict[str, int]
    rights: list[str]
    outcome: str
    owning_function: str = Field(description="The function whose decision makers decide the theme; empty: not "
                                             "routed (the human rights team decides it)")
    position: int
    label_confirmed_at: datetime.datetime | None = Field(
        description="When a person wrote or confirmed the label; null: the label is discovery's key terms, never "
                    "published")
    stance_reviewed_at: datetime.datetime | None = Field(
        description="When the analyst reviewed the stance counts; null: they are not shown on the public page")


class ExampleOut(Schema):
    response_id: int
    text: str
    language: str
    stance: str
    confirmed: bool

    @staticmethod
    def resolve_text(obj):
        return obj.response.text

    @staticmethod
    def resolve_language(obj):
        return obj.response.language

    @staticmethod
    def resolve_stance(obj):
        return obj.response.stance


class ThemeDetailOut(ThemeOut):
    risk_ids: list[int]
    examples: list[ExampleOut]


class DiscoveryIn(Schema):
    seed: Seed = 0
    themes: Annotated[int, Field(ge=2, le=MAX_THEMES)] | None = None


class AssignmentIn(Schema):
    seed: Seed = 0


class ThemeIn(Schema):
    label: Label
    description: Annotated[str, Field(max_length=5000)] = ""


class RenameIn(Schema):
    label: Label | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    label_confirmed: Literal[True] | None = Field(
        None, description="true: confirm the label as it is (a label sent in `label` is confirmed by writing it)")
    stance_reviewed: bool | None = Field(None, description="true: the stance counts were reviewed; false: take "
                                                           "the mark back")


class MergeIn(Schema):
    theme_ids: Annotated[list[Id], Field(min_length=2, max_length=50)]
    label: Annotated[str, Field(max_length=200)] = ""


class PartIn(Schema):
    label: Label
    response_ids: Annotated[list[Id], Field(min_length=1, max_length=100)]


class SplitIn(Schema):
    parts: Annotated[int, Field(ge=2, le=MAX_PARTS)] | None = None
    by_examples: Annotated[list[PartIn], Field(max_length=MAX_PARTS)] | None = None
    seed: Seed = 0


class RouteIn(Schema):
    owning_function: Function | None = None


class LinksIn(Schema):
    risk_ids: Annotated[list[Id], Field(max_length=200)] | None = None
    rights: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=100)] | None = None


class ExampleIn(Schema):
    action: Literal["add", "confirm", "unconfirm", "remove", "move"] = "add"
    to_theme_id: Id | None = None


class ReviewIn(Schema):
    theme_ids: Annotated[list[Id], Field(max_length=50)] = []
    make_example: bool = False


class SuggestionOut(Schema):
    theme_id: int | None
    label: str | None
    confidence: float
    source: str

    @staticmethod
    def resolve_label(obj):
        return obj.theme.label if obj.theme_id else None


class QueuedOut(Schema):
    id: int
    text: str
    language: str
    stance: str
    suggestions: list[SuggestionOut]


class PlacedOut(Schema):
    response_id: int
    placements: list[SuggestionOut]


class DuplicateGroupOut(Schema):
    id: int
    kind: Literal["exact", "near", "campaign"] = Field(description=(
        "exact: identical answers (every member the same text, whatever the size); near: near-identical answers; "
        "campaign: an organised campaign, a template its senders edited, at the campaign threshold"))
    label: str = Field(description="The kind in words, in the requested language")
    size: int
    variants: int = Field(description="Distinct texts among the members, after ignoring case and punctuation")
    representative_id: int
    text: str

    @staticmethod
    def resolve_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_text(obj):
        return obj.representative.text


class FoundOut(Schema):
    response_id: int
    text: str


class SearchOut(Schema):
    looked_at: int
    limit: int
    results: list[FoundOut]


class FinalisedOut(Schema):
    finalised: int


def _analyst(request, consultation_id):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    return viewer, queries.access_consultation(viewer, consultation_id)


def _theme_detail(theme) -> dict:
    return {**ThemeOut.from_orm(theme).dict(), "risk_ids": list(theme.risks.values_list("pk", flat=True)),
            "examples": themes_q.examples_of(theme)}


def _themes_of(consultation, ids) -> list:
    themes = {theme.pk: theme for theme in consultation.themes.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in themes]
    if missing:
        raise ValidationError({"theme_ids": [_("No such theme in this consultation: %(ids)s.") % {
            "ids": ", ".join(map(str, missing))}]})
    return [themes[pk] for pk in ids]


@router.post("/{int:consultation_id}/analysis/discovery", response=documented({202: RunOut}),
             summary="Start theme discovery (duplicates, campaigns, stance, candidate themes)")
def start_theme_discovery(request, consultation_id: int, payload: DiscoveryIn):
    viewer, consultation = _analyst(request, consultation_id)
    run = runs.start_discovery(consultation=consultation, parameters=payload.dict(), by=viewer)
    return Status(202, run)


@router.post("/{int:consultation_id}/analysis/assignment", response=documented({202: RunOut}),
             summary="Start assigning every response to the final themes")
def start_theme_assignment(request, consultation_id: int, payload: AssignmentIn):
    viewer, consultation = _analyst(request, consultation_id)
    return Status(202, runs.start_assignment(consultation=consultation, seed=payload.seed, by=viewer))


@router.get("/{int:consultation_id}/analysis/runs", response=documented({200: list[RunOut]}),
            summary="Analysis runs with their parameters and stage timings")
@paginate(ApiPages)
def list_analysis_runs(request, consultation_id: int):
    return queries.access_consultation(request.auth, consultation_id).runs.all()


@router.get("/{int:consultation_id}/themes", response=documented({200: list[ThemeOut]}), summary="Themes")
def list_themes(request, consultation_id: int):
    return list(themes_q.themes_of(queries.access_consultation(request.auth, consultation_id)))


@router.post("/{int:consultation_id}/themes", response=documented({201: ThemeOut}), summary="Add an empty theme")
def add_theme(request, consultation_id: int, payload: ThemeIn):
    viewer, consultation = _analyst(request, consultation_id)
    return Status(201, actions.add_theme(consultation=consultation, by=viewer, **payload.dict()))


@router.post("/{int:consultation_id}/themes/merge", response=documented({200: ThemeOut}),
             summary="Merge themes into the first one listed")
def merge_themes(request, consultation_id: int, payload: MergeIn):
    viewer, consultation = _analyst(request, consultation_id)
    ids = list(dict.fromkeys(payload.theme_ids))
    if len(ids) < 2:
        raise ValidationError({"theme_ids": [_("Choose at least two themes to merge.")]})
    return actions.merge_themes(themes=_themes_of(consultation, ids), label=payload.label, by=viewer)


@router.post("/{int:consultation_id}/themes/finalise", response=documented({200: FinalisedOut}),
             summary="Make the candidate themes final (each needs a confirmed example)")
def finalise_themes(request, consultation_id: int):
    viewer, consultation = _analyst(request, consultation_id)
    return {"finalised": actions.finalise_themes(consultation=consultation, by=viewer)}


@router.get("/{int:consultation_id}/themes/{int:theme_id}", response=documented({200: ThemeDetailOut}),
            summary="One theme with its examples")
def get_theme(request, consultation_id: int, theme_id: int):
    consultation = queries.access_consultation(request.auth, consultation_id)
    return _theme_detail(themes_q.access_theme(consultation, theme_id))


@router.patch("/{int:consultation_id}/themes/{int:theme_id}", response=documented({200: ThemeOut}),
              summary="Rename a theme, change its description, confirm its label or mark its stance reviewed")
def rename_theme(request, consultation_id: int, theme_id: int, payload: RenameIn):
    viewer, consultation = _analyst(request, consultation_id)
    theme = themes_q.access_theme(consultation, theme_id)
    with transaction.atomic():
        if payload.label is not None or payload.description is not None or (
                payload.label_confirmed is None and payload.stance_reviewed is None):
            label = theme.label if payload.label is None else payload.label
            description = theme.description if payload.description is None else payload.description
            theme = actions.rename_theme(theme=theme, label=label, description=description, by=viewer)
        elif payload.label_confirmed:
            theme = actions.confirm_label(theme=theme, by=viewer)
        if payload.stance_reviewed is not None:
            theme = actions.review_stance(theme=theme, reviewed=payload.stance_reviewed, by=viewer)
    return theme


@router.delete("/{int:consultation_id}/themes/{int:theme_id}", response=documented({204: None}),
               summary="Delete a theme (its responses go to other)")
def delete_theme(request, consultation_id: int, theme_id: int):
    viewer, consultation = _analyst(request, consultation_id)
    actions.delete_theme(theme=themes_q.access_theme(consultation, theme_id), by=viewer)
    return Status(204, None)


@router.put("/{int:consultation_id}/themes/{int:theme_id}/routing", response=documented({200: ThemeOut}),
            summary="Route a theme's decision to a function (null: not routed), as an input is routed")
def route_theme(request, consultation_id: int, theme_id: int, payload: RouteIn):
    viewer, consultation = _analyst(request, consultation_id)
    theme = themes_q.access_theme(consultation, theme_id)
    return outcome_actions.route_theme(theme=theme, owning_function=getattr(
        payload.owning_function, "value", payload.owning_function) or "", by=viewer)


@router.post("/{int:consultation_id}/themes/{int:theme_id}/split", response=documented({200: list[ThemeOut]}),
             summary="Split a theme: by discovery in `parts`, or around the examples chosen for each part")
def split_theme(request, consultation_id: int, theme_id: int, payload: SplitIn):
    viewer, consultation = _analyst(request, consultation_id)
    theme = themes_q.access_theme(consultation, theme_id)
    if (payload.parts is None) == (payload.by_examples is None):
        raise ValidationError({"parts": [_("Give either the number of parts or the examples of each part.")]})
    if payload.parts is not None:
        return actions.split_theme(theme=theme, parts=payload.parts, seed=payload.seed, by=viewer)
    parts = []
    for part in payload.by_examples:
        responses = {r.pk: r for r in consultation.responses.filter(pk__in=part.response_ids)}
        if len(responses) != len(set(part.response_ids)):
            raise ValidationError({"by_examples": [_("Choose responses of this consultation.")]})
        parts.append((part.label, list(responses.values())))
    return actions.split_theme_by_examples(theme=theme, parts=parts, seed=payload.seed, by=viewer)


@router.put("/{int:consultation_id}/themes/{int:theme_id}/links", response=documented({200: ThemeDetailOut}),
            summary="Link a theme to salient risks of the register and to rights")
def link_theme(request, consultation_id: int, theme_id: int, payload: LinksIn):
    viewer, consultation = _analyst(request, consultation_id)
    theme = themes_q.access_theme(consultation, theme_id)
    if payload.risk_ids is not None:
        actions.link_risks(theme=theme, risk_ids=list(dict.fromkeys(payload.risk_ids)), by=viewer)
    if payload.rights is not None:
        actions.link_rights(theme=theme, codes=payload.rights, by=viewer)
    return _theme_detail(theme)


@router.post("/{int:consultation_id}/themes/{int:theme_id}/examples/{int:response_id}",
             response=documented({200: ThemeDetailOut}),
             summary="Add, confirm, unconfirm, remove or move an example response")
def theme_example(request, consultation_id: int, theme_id: int, response_id: int, payload: ExampleIn):
    viewer, consultation = _analyst(request, consultation_id)
    theme = themes_q.access_theme(consultation, theme_id)
    response = themes_q.access_response(consultation, response_id)
    if payload.action == "add":
        actions.add_example(theme=theme, response=response, by=viewer)
    elif payload.action in ("confirm", "unconfirm"):
        actions.confirm_example(theme=theme, response=response, confirmed=payload.action == "confirm", by=viewer)
    elif payload.action == "remove":
        actions.remove_example(theme=theme, response=response, by=viewer)
    else:
        if payload.to_theme_id is None:
            raise ValidationError({"to_theme_id": [_("Say which theme to move the example to.")]})
        to = _themes_of(consultation, [payload.to_theme_id])[0]
        actions.move_example(theme=theme, response=response, to=to, by=viewer)
        theme = to
    return _theme_detail(theme)


class SearchQuery(Schema):
    q: Annotated[str, Field(max_length=200)] = ""
    everywhere: bool = False


@router.get("/{int:consultation_id}/themes/{int:theme_id}/search", response=documented({200: SearchOut}),
            summary="Find responses by words (reads at most 2,000 sealed responses)")
def search_theme_responses(request, consultation_id: int, theme_id: int, query: Query[SearchQuery]):
    _viewer, consultation = _analyst(request, consultation_id)
    theme = themes_q.access_theme(consultation, theme_id)
    if not query.q.strip():
        raise ValidationError({"q": [_("Give one or more words to look for.")]})
    found, looked = themes_q.search_responses(consultation, query.q, theme=None if query.everywhere else theme)
    return {"looked_at": looked, "limit": themes_q.SEARCH_LIMIT,
            "results": [{"response_id": hit.response.pk, "text": hit.text} for hit in found]}


@router.get("/{int:consultation_id}/review", response=documented({200: list[QueuedOut]}),
            summary="Responses waiting for review (placed with low confidence)")
@paginate(ApiPages)
def review_queue(request, consultation_id: int):
    return themes_q.review_queue(queries.access_consultation(request.auth, consultation_id))


@router.post("/{int:consultation_id}/review/{int:response_id}", response=documented({200: PlacedOut}),
             summary="Place a response in final themes yourself (none: other)")
def review_response(request, consultation_id: int, response_id: int, payload: ReviewIn):
    viewer, consultation = _analyst(request, consultation_id)
    response = themes_q.access_response(consultation, response_id)
    themes = _themes_of(consultation, list(dict.fromkeys(payload.theme_ids)))
    if any(theme.status != ThemeStatus.FINAL for theme in themes):
        raise ValidationError({"theme_ids": [_("Place responses in final themes.")]})
    actions.review_response(response=response, themes=themes, make_example=payload.make_example, by=viewer)
    return {"response_id": response.pk, "placements": themes_q.placements_of(response)}


@router.get("/{int:consultation_id}/duplicate-groups", response=documented({200: list[DuplicateGroupOut]}),
            summary="Organised campaigns, identical and near-identical answers, largest first, each shown once with "
                    "its count")
@paginate(ApiPages)
def list_duplicate_groups(request, consultation_id: int):
    return themes_q.duplicate_groups(queries.access_consultation(request.auth, consultation_id))
