"""Promises of a next step in the JSON API (engagements.promises): open, broken, kept on time or late.

The same reads as the dashboard (queries.visible_promises): promises on inputs the token's member may see, and
none made to people they may not know of. Nothing here names a stakeholder or quotes an input.
"""


import datetime
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages

from . import queries
from .promises import PromiseState

router = Router(tags=["engagements"])


class PromiseOut(Schema):
    id: int
    input_id: int
    engagement_id: int
    decision_revision: int = Field(description="The revision of the input's decision that made the promise")
    next_step: str = Field(description="What was promised, in the decision maker's words")
    due_on: datetime.date = Field(description="The date the next step was promised by")
    state: str = Field(description="open, broken (past its date with no decision since), kept (by a decision on or "
                                   "before the date) or kept_late")
    kept_on: datetime.date | None = Field(description="The day a later decision on the input kept it")
    broken_since: datetime.date | None = Field(
        description="The day the daily round found it broken and re-opened the loop; stays set once kept late")
    reminded_on: datetime.date | None = Field(description="The day its owner was reminded, before the date")
    owner: str | None = Field(description="Who answers for it (the decision maker who made it)")

    @staticmethod
    def resolve_engagement_id(obj) -> int:
        return obj.input.engagement_id

    @staticmethod
    def resolve_decision_revision(obj) -> int:
        return obj.decision.revision

    @staticmethod
    def resolve_next_step(obj) -> str:
        return obj.decision.next_step

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state(timezone.localdate())

    @staticmethod
    def resolve_broken_since(obj) -> datetime.date | None:
        return obj.lapsed_on

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.get_username() if obj.owner_id else None


class PromiseStateIn(StrEnum):
    OPEN = PromiseState.OPEN.value
    BROKEN = PromiseState.BROKEN.value
    KEPT = PromiseState.KEPT.value
    KEPT_LATE = PromiseState.KEPT_LATE.value


class PromiseQuery(Schema):
    state: PromiseStateIn | None = Field(None, description="Only promises in this state today")
    engagement_id: int | None = Field(None, ge=1, le=MAX_ID)
    input_id: int | None = Field(None, ge=1, le=MAX_ID)


@router.get("/promises", response=documented({200: list[PromiseOut]}),
            summary="Promises of a next step made by decisions under consideration, and whether they were kept")
@paginate(ApiPages)
def list_promises(request, filters: Query[PromiseQuery]):
    viewer = request.auth
    if not (viewer.can(Capability.ENGAGEMENTS_VIEW) or viewer.can(Capability.DECISIONS_QUEUE)):
        raise PermissionDenied(_("Your role cannot see decisions on inputs."))
    today = timezone.localdate()
    promises = queries.visible_promises(viewer)
    state = filters.state
    if state == PromiseStateIn.OPEN:
        promises = promises.open(today)
    elif state == PromiseStateIn.BROKEN:
        promises = promises.broken(today)
    elif state == PromiseStateIn.KEPT:
        promises = promises.kept_on_time()
    elif state == PromiseStateIn.KEPT_LATE:
        promises = promises.kept_late()
    if filters.engagement_id is not None:
        promises = promises.filter(input__engagement_id=filters.engagement_id)
    if filters.input_id is not None:
        promises = promises.filter(input_id=filters.input_id)
    return promises.select_related("input", "decision", "owner").order_by("due_on", "id")
