"""JSON front door of the stakeholder register: /api/v1/stakeholders."""


import datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID, plausible_id
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages

from . import actions, queries, reveals, timeline
from .groups import Mandate, Speaks
from .profiles import StakeholderProfile
from .vocabulary import Channel, ConsentMethod, ConsentScope, EntityType, Kind, SafetyLevel, Trait

router = Router(tags=["stakeholders"])


class SpeaksIn(Schema):
    group_id: int | None = Field(None, description="An existing affected group")
    new_group_name: str = Field("", max_length=200, description="Or the name of a new group to record")
    legitimacy_basis: str = Field(..., min_length=1, max_length=5000)
    evidence: str = Field("", max_length=5000)
    reviewed_on: datetime.date | None = None


def _speaks(viewer, items: list[SpeaksIn] | None) -> list[Speaks]:
    """The groups named in a request body, each found in the viewer's organisation (400 otherwise)."""
    speaks = []
    for item in items or []:
        if (item.group_id is None) == (not item.new_group_name.strip()):
            raise DjangoValidationError({"represents": [_("Give either group_id or new_group_name.")]})
        if item.group_id is not None:
            group = queries.visible_groups(viewer).filter(pk=item.group_id).first() if plausible_id(
                item.group_id) else None
            if group is None:
                raise DjangoValidationError({"represents": [_("Unknown group.")]})
        else:
            group = item.new_group_name.strip()
        speaks.append(Speaks(group=group, mandate=Mandate(
            legitimacy_basis=item.legitimacy_basis, evidence=item.evidence, reviewed_on=item.reviewed_on)))
    return speaks


class ConsentIn(Schema):
    scope: ConsentScope
    granted: bool
    method: ConsentMethod
    given_on: datetime.date
    notes: str = Field("", max_length=300)


class StakeholderIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Kind
    entity_type: EntityType = EntityType.ORGANISATION
    represents: list[SpeaksIn] = Field(default_factory=list, max_length=20, description=(
        "For a credible proxy (required, at least one): the affected groups it speaks for and why."))
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    messenger_handle: str = Field("", max_length=100)
    postal_address: str = Field("", max_length=2000)
    preferred_language: str = Field("", max_length=3, description="ISO 639-1")
    preferred_channel: Channel = Channel.EMAIL
    accessibility_needs: str = Field("", max_length=5000)
    safety_level: SafetyLevel = SafetyLevel.NORMAL
    notes: str = Field("", max_length=10000)
    languages: list[str] = Field(default_factory=list, max_length=50, description="ISO 639-1 codes")
    rights: list[str] = Field(default_factory=list, max_length=60)
    technologies: list[str] = Field(default_factory=list, max_length=30)
    at_risk: list[str] = Field(default_factory=list, max_length=30)
    safe_channels: list[Channel] = Field(default_factory=list, max_length=6)
    affiliation: int | None = Field(None, ge=1, le=MAX_ID, description=(
        "For a person: the id of the organisation (a stakeholder) they belong to; counts towards its load."))
    consents: list[ConsentIn] = Field(default_factory=list, max_length=10, description=(
        "What they already agreed or refused to: recorded with the registration, each audited"))


class StakeholderPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Kind | None = None
    entity_type: EntityType | None = None
    represents: list[SpeaksIn] | None = Field(None, max_length=20, description=(
        "Groups it starts to speak for (needed when it becomes a proxy); manage existing ones under /groups."))
    country: str | None = Field(None, max_length=2)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    messenger_handle: str | None = Field(None, max_length=100)
    postal_address: str | None = Field(None, max_length=2000)
    preferred_language: str | None = Field(None, max_length=3)
    preferred_channel: Channel | None = None
    accessibility_needs: str | None = Field(None, max_length=5000)
    safety_level: SafetyLevel | None = None
    notes: str | None = Field(None, max_length=10000)
    languages: list[str] | None = Field(None, max_length=50)
    rights: list[str] | None = Field(None, max_length=60)
    technologies: list[str] | None = Field(None, max_length=30)
    at_risk: list[str] | None = Field(None, max_length=30)
    safe_channels: list[Channel] | None = Field(None, max_length=6)
    affiliation: int | None = Field(None, ge=1, le=MAX_ID, description=(
        "The organisation this person belongs to; send null to clear it."))


def _revealed(obj, context) -> bool:
    return obj.pk in getattr(context["request"], "revealed_ids", ())


def _masked(obj, context) -> bool:
    """True when the viewer sees this person only by pseudonym, so no contact detail may show either."""
    return reveals.is_protected(obj) and not _revealed(obj, context)


class StakeholderOut(Schema):
    id: int
    name: str
    kind: str
    entity_type: str
    country: str
    region_code: str
    subregion_code: str
    global_south: bool | None
    email: str
    phone: str
    messenger_handle: str
    postal_address: str
    preferred_language: str
    preferred_channel: str
    accessibility_needs: str
    safety_level: str
    notes: str
    languages: list[str]
    rights: list[str]
    technologies: list[str]
    at_risk: list[str]
    safe_channels: list[str]
    affiliation: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_name(obj, context) -> str:
        return queries.shown_name(obj, context["request"].auth, revealed=_revealed(obj, context))

    @staticmethod
    def resolve_affiliation(obj) -> int | None:
        return obj.affiliation_id

    @staticmethod
    def resolve_accessibility_needs(obj, context) -> str:
        return "" if _masked(obj, context) else obj.accessibility_needs

    @staticmethod
    def resolve_email(obj, context) -> str:
        return "" if _masked(obj, context) else obj.email

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return "" if _masked(obj, context) else obj.phone

    @staticmethod
    def resolve_messenger_handle(obj, context) -> str:
        return "" if _masked(obj, context) else obj.messenger_handle

    @staticmethod
    def resolve_postal_address(obj, context) -> str:
        return "" if _masked(obj, context) else obj.postal_address

    @staticmethod
    def resolve_notes(obj, context) -> str:
        return "" if _masked(obj, context) else obj.notes

    @staticmethod
    def resolve_rights(obj) -> list[str]:
        return obj.traits_of(Trait.RIGHT)

    @staticmethod
    def resolve_technologies(obj) -> list[str]:
        return obj.traits_of(Trait.TECHNOLOGY)

    @staticmethod
    def resolve_at_risk(obj) -> list[str]:
        return obj.traits_of(Trait.AT_RISK)


class DuplicateOut(Schema):
    id: int
    reason: str


class StakeholderCreatedOut(StakeholderOut):
    possible_duplicates: list[DuplicateOut]


class StakeholderQuery(Schema):
    kind: Kind | None = None
    region: str = Field("", max_length=3, description="UN M49 region code, e.g. 002 for Africa")
    country: str = Field("", max_length=2)
    global_south: bool | None = None
    language: str = Field("", max_length=3)
    safety_level: SafetyLevel | None = None
    at_risk: str = Field("", max_length=40)


class StakeholderSearch(StakeholderQuery):
    q: str = Field("", max_length=100, description="Words of a name, or an email address")


class ConsentOut(Schema):
    id: int
    scope: str
    granted: bool
    method: str
    given_on: datetime.date
    notes: str
    withdrawn_at: datetime.datetime | None

    @staticmethod
    def resolve_notes(obj) -> str:
        return "" if reveals.is_protected(obj.stakeholder) else obj.notes


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _values(payload: Schema) -> dict:
    values = payload.dict(exclude={"represents", "consents"})
    for name in ("kind", "entity_type", "preferred_channel", "safety_level"):
        if values.get(name) is not None:
            values[name] = str(values[name].value if hasattr(values[name], "value") else values[name])
    if values.get("safe_channels") is not None:
        values["safe_channels"] = [str(getattr(c, "value", c)) for c in values["safe_channels"]]
    return values


def _found(viewer, filters: StakeholderQuery, q: str = ""):
    _require(viewer, Capability.STAKEHOLDERS_VIEW)
    return queries.stakeholder_list(viewer, queries.StakeholderFilters(
        q=q, kind=filters.kind.value if filters.kind else "", region=filters.region,
        country=filters.country, global_south=filters.global_south, language=filters.language,
        safety_level=filters.safety_level.value if filters.safety_level else "", at_risk=filters.at_risk,
    ))


@router.get("", response=documented({200: list[StakeholderOut]}),
            summary="List stakeholders",
            description="Filters only. To search by name or email, POST /stakeholders/search: addresses are kept in "
                        "access logs, request bodies are not.")
@paginate(ApiPages)
def list_stakeholders(request, filters: Query[StakeholderQuery]):
    if "q" in request.GET:
        # Refused rather than ignored: the caller learns at once, and nothing is found from a logged address.
        raise DjangoValidationError({"q": [_(
            "Search by POST /api/v1/stakeholders/search with q in the body: addresses are kept in access logs.")]})
    return _found(request.auth, filters)


@router.post("/search", response=documented({200: list[StakeholderOut]}),
             summary="Search the register; the search text travels in the body, never in the address")
@paginate(ApiPages)
def search_stakeholders(request, filters: StakeholderSearch):
    return _found(request.auth, filters, filters.q)


@router.post("", response=documented({201: StakeholderCreatedOut}), summary="Register a stakeholder")
def create_stakeholder(request, payload: StakeholderIn):
    viewer = request.auth
    _require(viewer, Capability.STAKEHOLDERS_EDIT)
    stakeholder, duplicates = actions.register_stakeholder(
        profile=StakeholderProfile(**_values(payload)), by=viewer, speaks_for=_speaks(viewer, payload.represents),
        consents=[actions.ConsentAnswer(scope=c.scope.value, granted=c.granted, method=c.method.value,
                                        given_on=c.given_on, notes=c.notes) for c in payload.consents],
    )
    stakeholder = queries.access_stakeholder(viewer, stakeholder.pk)
    stakeholder.possible_duplicates = [{"id": d.stakeholder.pk, "reason": d.reason} for d in duplicates]
    return Status(201, stakeholder)


def _no_reason_in_the_address(request) -> None:
    """A reveal reason in the query string would be written to access logs: refused, and nothing revealed."""
    if "reveal_reason" in request.GET:
        raise DjangoValidationError({"reveal_reason": [_(
            "Send the reason in the body of a POST (…/reveal or …/export), not in the address: addresses are "
            "kept in access logs.")]})


def _reveal(request, stakeholder, reason: str) -> None:
    if len(reason.strip()) < 10:
        raise DjangoValidationError({"reveal_reason": [_("Give a reason of at least 10 characters.")]})
    actions.reveal_identity(stakeholder=stakeholder, reason=reason, by=request.auth)


class RevealIn(Schema):
    reason: str = Field(..., max_length=300, description=(
        "Why you need this high-safety person's identity (at least 10 characters). Audited."))


@router.get("/{int:stakeholder_id}", response=documented({200: StakeholderOut}), summary="One stakeholder")
def get_stakeholder(request, stakeholder_id: int):
    """A high-safety person shows by pseudonym, without contact details: POST …/reveal with a reason for more."""
    stakeholder = queries.access_stakeholder(request.auth, stakeholder_id)
    _no_reason_in_the_address(request)
    return stakeholder


@router.post("/{int:stakeholder_id}/reveal", response=documented({200: StakeholderOut}),
             summary="One stakeholder with a high-safety person's identity, for a grant holder giving a reason")
def reveal_stakeholder(request, stakeholder_id: int, payload: RevealIn):
    viewer = request.auth
    stakeholder = queries.access_stakeholder(viewer, stakeholder_id)
    if reveals.is_protected(stakeholder):
        _reveal(request, stakeholder, payload.reason)
        actions.record_identity_read(stakeholder=stakeholder, by=viewer, where=request.path)
        request.revealed_ids = {stakeholder.pk}
    return stakeholder


@router.patch("/{int:stakeholder_id}", response=documented({200: StakeholderOut}), summary="Change a stakeholder")
def update_stakeholder(request, stakeholder_id: int, payload: StakeholderPatch):
    viewer = request.auth
    stakeholder = queries.access_stakeholder(viewer, stakeholder_id, for_update=True)
    profile = StakeholderProfile.of(stakeholder)
    for name, value in _values(payload).items():
        if name in payload.model_fields_set and (value is not None or name == "affiliation"):
            setattr(profile, name, value)
    actions.update_stakeholder(stakeholder=stakeholder, profile=profile, by=viewer,
                               speaks_for=_speaks(viewer, payload.represents))
    return queries.access_stakeholder(viewer, stakeholder_id)


@router.get("/{int:stakeholder_id}/consents", response=documented({200: list[ConsentOut]}), summary="Consent records")
def list_consents(request, stakeholder_id: int):
    stakeholder = queries.access_stakeholder(request.auth, stakeholder_id)
    return list(queries.consent_history(stakeholder))


@router.post("/{int:stakeholder_id}/consents", response=documented({201: ConsentOut}), summary="Record consent")
def add_consent(request, stakeholder_id: int, payload: ConsentIn):
    viewer = request.auth
    stakeholder = queries.access_stakeholder(viewer, stakeholder_id, for_update=True)
    consent = actions.record_consent(
        stakeholder=stakeholder, scope=payload.scope.value, granted=payload.granted,
        method=payload.method.value, given_on=payload.given_on, notes=payload.notes, by=viewer,
    )
    return Status(201, consent)


class ErasureIn(Schema):
    reason: str = Field(..., min_length=3, max_length=300)


class ErasureOut(Schema):
    id: int
    erased_at: datetime.datetime


class ExportIn(Schema):
    reveal_reason: str = Field("", max_length=300, description=(
        "Required for a high-safety stakeholder: why you need their data (at least 10 characters). Audited."))


@router.get("/{int:stakeholder_id}/export", summary="Subject access export: everything held about this person",
            response=documented({200: dict}))
def export_stakeholder(request, stakeholder_id: int):
    """For a high-safety person, POST to the same address with the reason in the body."""
    viewer = request.auth
    _require(viewer, Capability.STAKEHOLDERS_EDIT)
    stakeholder = queries.access_stakeholder(viewer, stakeholder_id)
    _no_reason_in_the_address(request)
    if reveals.is_protected(stakeholder):
        raise DjangoValidationError({"reveal_reason": [_(
            "This person is protected: POST to this address with reveal_reason in the body.")]})
    return actions.export_subject(stakeholder=stakeholder, by=viewer)


@router.post("/{int:stakeholder_id}/export", summary="Subject access export, with the reason a protected person's "
             "needs", response=documented({200: dict}))
def export_stakeholder_with_reason(request, stakeholder_id: int, payload: ExportIn):
    viewer = request.auth
    _require(viewer, Capability.STAKEHOLDERS_EDIT)
    stakeholder = queries.access_stakeholder(viewer, stakeholder_id)
    if reveals.is_protected(stakeholder):
        _reveal(request, stakeholder, payload.reveal_reason)
    return actions.export_subject(stakeholder=stakeholder, by=viewer)


@router.post("/{int:stakeholder_id}/erasure", response=documented({200: ErasureOut}),
             summary="Erase a person: destroy their key and identity; anonymous facts remain")
def erase_stakeholder(request, stakeholder_id: int, payload: ErasureIn):
    viewer = request.auth
    _require(viewer, Capability.STAKEHOLDERS_EDIT)
    stakeholder = queries.access_stakeholder(viewer, stakeholder_id)
    return actions.erase_stakeholder(stakeholder=stakeholder, reason=payload.reason, by=viewer)


class TimelineEntryOut(Schema):
    at: datetime.datetime
    kind: str = Field(..., description="invited, said, decided, reported, consent_recorded or consent_withdrawn")
    summary: str
    detail: str
    engagement_id: int | None


class LoopStandingOut(Schema):
    engagement_id: int
    engagement_title: str
    state: str = Field(..., description="no_input, awaiting_decision, ready, closed, or promise_broken "
                       "(a promised next step passed its date without a decision: open again)")
    label: str
    overdue: bool


class TimelineOut(Schema):
    standing: list[LoopStandingOut]
    count: int
    page: int
    pages: int
    entries: list[TimelineEntryOut]


class TimelinePage(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=200)


@router.get("/{int:stakeholder_id}/timeline", response=documented({200: TimelineOut}),
            summary="A stakeholder's timeline: invitations, inputs, decisions, reports, consent, and their loops")
def stakeholder_timeline(request, stakeholder_id: int, paging: Query[TimelinePage]):
    """Oldest first, as the caller may see it; a high-safety person is 'not found' without a grant on them."""
    viewer = request.auth
    stakeholder = queries.access_stakeholder(viewer, stakeholder_id)
    entries = timeline.timeline(viewer, stakeholder)
    pages = max(1, -(-len(entries) // paging.page_size))
    start = (paging.page - 1) * paging.page_size
    return {"standing": timeline.standing(viewer, stakeholder), "count": len(entries), "page": paging.page,
            "pages": pages, "entries": entries[start:start + paging.page_size]}
