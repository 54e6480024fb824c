"""Plan engagements and decide who takes part, and how."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.stakeholders.models import AffectedGroup, Representation, Stakeholder
from rightsloop.stakeholders.queries import hidden_from
from rightsloop.stakeholders.vocabulary import Kind, SafetyLevel

from ..load import OverSolicited, add_requests, load_of
from ..loops import refresh_loop
from ..models import BriefingMaterial, Engagement, FeedbackReport, Input, Participation
from ..vocabulary import DeliveryStatus
from .inputs import mark_withdrawn

PLAN_FIELDS = (
    "title", "type", "phases", "purpose", "starts_on", "ends_on", "location",
    "information_handling", "handling_notes", "attending_functions",
)


@dataclass
class EngagementPlan:
    title: str
    type: str
    phases: list[str]
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    purpose: str = ""
    location: str = ""
    information_handling: str = "chatham_house"
    handling_notes: str = ""
    attending_functions: list[str] = field(default_factory=list)
    feedback_due_on: datetime.date | None = None
    owner: User | None = None


def default_feedback_due(*, organisation, ends_on: datetime.date) -> datetime.date:
    return ends_on + datetime.timedelta(days=organisation.feedback_days)


def _check_owner(owner: User, viewer: Viewer) -> None:
    may_own = Membership.objects.active().filter(
        user=owner, organisation=viewer.organisation, role__in=[Role.ADMIN, Role.HR_LEAD]
    )
    if not may_own.exists():
        raise ValidationError({"owner": _("The owner must be a member of the human rights team.")})


@transaction.atomic
def create_engagement(*, plan: EngagementPlan, by: Viewer) -> Engagement:
    """Create an engagement and fix, once, the date by which every participant will hear back."""
    ends_on = plan.ends_on or plan.starts_on
    owner = plan.owner or by.user
    _check_owner(owner, by)
    engagement = Engagement(
        organisation=by.organisation,
        created_by=by.user,
        owner=owner,
        feedback_due_on=plan.feedback_due_on
        or default_feedback_due(organisation=by.organisation, ends_on=ends_on),
        **{name: getattr(plan, name) for name in PLAN_FIELDS if name != "ends_on"},
        ends_on=ends_on,
    )
    engagement.phases = sorted(set(engagement.phases))
    engagement.attending_functions = sorted(set(engagement.attending_functions))
    engagement.full_clean(exclude=["organisation", "owner", "created_by"])
    engagement.save()
    audit.record(
        organisation=by.organisation, by=by, action="engagement.created", target=engagement,
        summary=f"{engagement.type}, feedback due {engagement.feedback_due_on}",
        changed_fields=PLAN_FIELDS,
    )
    return engagement


@transaction.atomic
def update_engagement(*, engagement: Engagement, plan: EngagementPlan, by: Viewer) -> Engagement:
    """Change an engagement's plan; the feedback due date stays as promised at creation."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if plan.feedback_due_on and plan.feedback_due_on != engagement.feedback_due_on:
        raise ValidationError({"feedback_due_on": _(
            "The feedback due date was fixed when the engagement was created and cannot move."
        )})
    tracked = [*PLAN_FIELDS, "owner_id"]
    before = audit.snapshot(engagement, tracked)
    for name in PLAN_FIELDS:
        setattr(engagement, name, getattr(plan, name))
    engagement.ends_on = plan.ends_on or plan.starts_on
    engagement.phases = sorted(set(engagement.phases))
    engagement.attending_functions = sorted(set(engagement.attending_functions))
    if plan.owner is not None:
        _check_owner(plan.owner, by)
        engagement.owner = plan.owner
    engagement.full_clean(exclude=["organisation", "owner", "created_by"])
    changed = audit.changed(engagement, before, tracked)
    if changed:
        engagement.save()
        audit.record(
            organisation=engagement.organisation, by=by, action="engagement.updated",
            target=engagement, summary=engagement.type, changed_fields=changed,
        )
    return engagement


@transaction.atomic
def add_participant(
    *,
    engagement: Engagement,
    stakeholder: Stakeholder,
    via_proxy: Stakeholder | None = None,
    override_reason: str = "",
    speaks_for: Iterable[AffectedGroup] = (),
    confirm_load: bool | None = None,
    by: Viewer,
) -> Participation:
    """Invite a stakeholder; someone at high risk takes part through a proxy, or by an audited override.

    speaks_for: the affected groups a credible proxy takes part for (each needs its Representation).
    confirm_load (engagement load, S3): False refuses with OverSolicited when the stakeholder was already asked
    more than the organisation's thresholds allow; True goes ahead and says so in the audit entry; None (imports,
    the demo) does not look.
    """
    speaks_for = list(speaks_for)
    if stakeholder.organisation_id != engagement.organisation_id:
        raise ValidationError({"stakeholder": _("Unknown stakeholder.")})
    if engagement.participations.filter(stakeholder=stakeholder).exists():
        raise ValidationError({"stakeholder": _("This stakeholder already takes part.")})
    if via_proxy is not None:
        if via_proxy.organisation_id != engagement.organisation_id or via_proxy.pk == stakeholder.pk:
            raise ValidationError({"via_proxy": _("Choose another stakeholder as the proxy.")})
        if via_proxy.kind != Kind.PROXY:
            raise ValidationError({"via_proxy": _("Only a stakeholder registered as a credible proxy can stand in.")})
    if speaks_for:
        _check_speaks_for(stakeholder, via_proxy, speaks_for)
    participation = Participation(engagement=engagement, stakeholder=stakeholder, via_proxy=via_proxy)
    direct_for_protected = stakeholder.safety_level == SafetyLevel.HIGH and via_proxy is None
    if direct_for_protected:
        if not by.can(Capability.SAFETY_OVERRIDE):
            raise ValidationError({"via_proxy": _(
                "This stakeholder is at high risk and can only take part through a proxy."
            )})
        if not override_reason.strip():
            raise ValidationError({"override_reason": _(
                "This stakeholder is at high risk: choose a proxy, or record why engaging "
                "them directly is safe and necessary."
            )})
        participation.direct_override_reason = override_reason.strip()
        participation.direct_override_by = by.user
        participation.direct_override_at = timezone.now()
    over_load = None
    if confirm_load is not None:
        # Counted once; who asked is read only for the warning, for the same people, without a recount.
        current = load_of(stakeholder, leave_out=hidden_from(by), with_requests=False)
        if current.over and not confirm_load:
            raise OverSolicited(add_requests(current))
        over_load = current if current.over else None
    participation.save()
    participation.speaks_for.set(speaks_for)
    audit.record(
        organisation=engagement.organisation, by=by, action="participant.added", target=participation,
        summary=f"stakeholder #{stakeholder.pk} in engagement #{engagement.pk}"
        + (f" via proxy #{via_proxy.pk}" if via_proxy else "")
        + (f" for group(s) {', '.join(f'#{g.pk}' for g in speaks_for)}" if speaks_for else "")
        + (f"; load warning confirmed ({over_load.count_90} in 90 days, {over_load.count_365} in 365 days)"
           if over_load else ""),
    )
    if direct_for_protected:
        audit.record(
            organisation=engagement.organisation, by=by, action="participant.safety_override",
            target=participation,
            summary=f"high-safety stakeholder #{stakeholder.pk} engaged directly",
            changed_fields=["direct_override_reason"],
        )
    return participation


@dataclass(frozen=True)
class NotAdded:
    """Someone chosen in a batch who was not added, and why: they need the one-by-one page."""

    stakeholder: Stakeholder
    reason: str


def add_participants(*, engagement: Engagement, stakeholders: Iterable[Stakeholder],
                     by: Viewer) -> tuple[list[Participation], list[NotAdded]]:
    """Invite several stakeholders at once, each directly, through add_participant and its rules.

    Whoever needs a decision of their own is left out and said so, never added on the batch's say-so: a person
    at high risk (a proxy or an audited override), or someone already asked more than the thresholds allow
    (their load is shown before it is confirmed). Each invitation is its own savepoint and audit entry.
    """
    added, left_out = [], []
    for stakeholder in stakeholders:
        if stakeholder.safety_level == SafetyLevel.HIGH:
            left_out.append(NotAdded(stakeholder, _("At high risk: choose a proxy for them on their own page.")))
            continue
        try:
            added.append(add_participant(engagement=engagement, stakeholder=stakeholder, by=by, confirm_load=False))
        except OverSolicited:
            left_out.append(NotAdded(stakeholder, _("Already asked often: see their load and confirm on their own "
                                                    "page.")))
        except ValidationError as error:
            left_out.append(NotAdded(stakeholder, " ".join(error.messages)))
    return added, left_out


def _check_speaks_for(proxy: Stakeholder, via_proxy: Stakeholder | None, groups: list[AffectedGroup]) -> None:
    if proxy.kind != Kind.PROXY or via_proxy is not None:
        raise ValidationError({"speaks_for": _(
            "Only a credible proxy taking part in its own name speaks for a group.")})
    represented = set(Representation.objects.current().filter(proxy=proxy, group__in=groups)
                      .values_list("group_id", flat=True))
    if any(group.pk not in represented or group.organisation_id != proxy.organisation_id for group in groups):
        raise ValidationError({"speaks_for": _("This proxy does not represent every group chosen.")})


@transaction.atomic
def remove_participant(*, participation: Participation, by: Viewer) -> None:
    """Remove someone invited by mistake; a participant who has spoken stays, so their loop can close."""
    if participation.inputs.exists():
        raise ValidationError(_("This participant has inputs recorded and cannot be removed."))
    # A claim they hold (consensus.Claim) is what they said too: it keeps them in the engagement.
    if participation.claims.exists():
        raise ValidationError(_("This participant holds a competing claim and cannot be removed."))
    audit.record(
        organisation=participation.engagement.organisation, by=by, action="participant.removed",
        target=participation, summary=f"stakeholder #{participation.stakeholder_id}",
    )
    participation.delete()


@transaction.atomic
def add_briefing(
    *,
    engagement: Engagement,
    title: str,
    shared_on: datetime.date,
    link: str = "",
    file: UploadedFile | None = None,
    description: str = "",
    by: Viewer,
) -> BriefingMaterial:
    """Record material shared with participants beforehand to explain the technology."""
    briefing = BriefingMaterial(
        engagement=engagement, title=title, link=link, description=description, shared_on=shared_on
    )
    if file is not None:
        # Sealed at rest under the organisation's key with a random name; the uploader's name is kept for download.
        briefing.file = file
        briefing.file_name = PurePath(file.name or "briefing").name[:255]
    briefing.full_clean(exclude=["engagement"])
    briefing.save()
    audit.record(
        organisation=engagement.organisation, by=by, action="briefing.added", target=briefing,
        summary=f"engagement #{engagement.pk}",
    )
    return briefing


@transaction.atomic
def cancel_engagement(*, engagement: Engagement, reason: str, by: Viewer) -> Engagement:
    """Cancel an engagement created by mistake, before anyone was sent a report; it stays, out of lists and figures.

    Each input still standing is withdrawn with the cancellation as its reason, so no letter, loop or figure
    counts it; what was said is kept.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this engagement is cancelled.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2,000 characters.")})
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.cancelled_at is not None:
        raise ValidationError({"reason": _("This engagement was already cancelled.")})
    if FeedbackReport.objects.filter(engagement=engagement).exclude(status=DeliveryStatus.FAILED).exists():
        raise ValidationError({"reason": _(
            "A feedback report was already sent (or is being sent) for this engagement, so it cannot be "
            "cancelled: its participants were told what became of their words. Withdraw the inputs that were "
            "recorded by mistake instead."
        )})
    inputs = list(Input.objects.standing().filter(engagement=engagement).select_related("speaker__stakeholder"))
    for item in inputs:
        mark_withdrawn(item, _("The engagement was cancelled: %(reason)s") % {"reason": reason}, by)
    engagement.cancelled_at = timezone.now()
    engagement.cancelled_by = by.user
    engagement.cancellation_reason = reason
    engagement.save(update_fields=["cancelled_at", "cancelled_by", "cancellation_reason"])
    refresh_loop(engagement, list(engagement.participations.select_related("stakeholder")))
    audit.record(
        organisation=engagement.organisation, by=by, action="engagement.cancelled", target=engagement,
        summary=f"{len(inputs)} input(s) withdrawn with it", changed_fields=["cancelled_at", "cancellation_reason"],
    )
    return engagement
