"""Every change to the stakeholder register: registration, edits, consent, duplicate flags."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from . import groups, subjects
from .duplicates import LikelyDuplicate, find_likely_duplicates
from .models import ConsentRecord, DuplicateFlag, Stakeholder, StakeholderGrant, StakeholderTrait
from .profiles import SCALAR_FIELDS, StakeholderProfile
from .queries import visible_stakeholders
from .vocabulary import Kind, SafetyLevel


def _summary(stakeholder: Stakeholder) -> str:
    return f"#{stakeholder.pk} {stakeholder.kind}, safety {stakeholder.safety_level}"


def _write_traits(stakeholder: Stakeholder, profile: StakeholderProfile) -> bool:
    wanted = set(profile.trait_rows())
    existing = set(stakeholder.traits.values_list("dimension", "code"))
    if wanted == existing:
        return False
    stale = existing - wanted
    for dimension, code in stale:
        stakeholder.traits.filter(dimension=dimension, code=code).delete()
    StakeholderTrait.objects.bulk_create(
        [StakeholderTrait(stakeholder=stakeholder, dimension=d, code=c) for d, c in wanted - existing]
    )
    return True


def _set_affiliation(stakeholder: Stakeholder, affiliation: int | None, by: Viewer) -> None:
    """Link a person to their organisation; one the viewer may not see is as unknown as a missing one."""
    if affiliation is None:
        stakeholder.affiliation = None
        return
    if affiliation == stakeholder.affiliation_id:
        return
    organisation = visible_stakeholders(by).filter(pk=affiliation).first()
    if organisation is None:
        raise ValidationError({"affiliation": _("Unknown organisation.")})
    stakeholder.affiliation = organisation


@dataclasses.dataclass(frozen=True)
class ConsentAnswer:
    """One answer a person gave about one consent scope, as record_consent takes it."""

    scope: str
    granted: bool
    method: str
    given_on: datetime.date
    notes: str = ""


@transaction.atomic
def register_stakeholder(
    *, profile: StakeholderProfile, by: Viewer, speaks_for: Sequence[groups.Speaks] = (),
    consents: Sequence[ConsentAnswer] = (),
) -> tuple[Stakeholder, list[LikelyDuplicate]]:
    """Add a stakeholder to the register and flag the likely duplicates it may be.

    A credible proxy comes with the affected groups it speaks for (`speaks_for`): at least one. `consents`: what
    they already agreed or refused to, each recorded (and audited) by record_consent in the same transaction.
    """
    profile.validate()
    duplicates = find_likely_duplicates(
        candidates=visible_stakeholders(by), organisation_id=by.organisation.pk, name=profile.name,
        email=profile.email, country=profile.country,
    )
    stakeholder = Stakeholder(organisation=by.organisation, created_by=by.user,
                              **{name: getattr(profile, name) for name in SCALAR_FIELDS})
    _set_affiliation(stakeholder, profile.affiliation, by)
    stakeholder.normalise()
    stakeholder.full_clean(exclude=["organisation", "created_by"])
    stakeholder.save()
    stakeholder.refresh_name_tokens()
    _write_traits(stakeholder, profile)
    if stakeholder.kind == Kind.PROXY:
        groups.speak_for(proxy=stakeholder, groups=speaks_for, by=by)
        groups.require_a_group(stakeholder)
    DuplicateFlag.objects.bulk_create(
        [DuplicateFlag(stakeholder=stakeholder, other=d.stakeholder, reason=d.reason) for d in duplicates]
    )
    audit.record(
        organisation=by.organisation, by=by, action="stakeholder.registered", target=stakeholder,
        summary=_summary(stakeholder), changed_fields=[n for n in SCALAR_FIELDS if getattr(profile, n)],
    )
    if stakeholder.safety_level == SafetyLevel.HIGH:
        _grant(stakeholder=stakeholder, user=by.user, reason=_("registered this stakeholder"), by=by)
    for answer in consents:
        record_consent(stakeholder=stakeholder, by=by, **dataclasses.asdict(answer))
    return stakeholder, duplicates


@transaction.atomic
def update_stakeholder(
    *, stakeholder: Stakeholder, profile: StakeholderProfile, by: Viewer, speaks_for: Sequence[groups.Speaks] = ()
) -> Stakeholder:
    """Change a stakeholder's profile; the audit entry names the fields, not their values.

    Becoming a proxy needs a group it speaks for (`speaks_for`, unless it has one); ceasing to be one ends
    its mandates.
    """
    if stakeholder.is_erased:
        raise ValidationError(_("This stakeholder was erased; nothing about them can be changed."))
    profile.validate()
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    tracked = [*SCALAR_FIELDS, "affiliation_id"]
    before = audit.snapshot(stakeholder, tracked)
    for name in SCALAR_FIELDS:
        setattr(stakeholder, name, getattr(profile, name))
    _set_affiliation(stakeholder, profile.affiliation, by)
    stakeholder.normalise()
    stakeholder.full_clean(exclude=["organisation", "created_by"])
    changed = audit.changed(stakeholder, before, tracked)
    if changed:
        stakeholder.save()
        if "name" in changed:
            stakeholder.refresh_name_tokens()
    if _write_traits(stakeholder, profile):
        changed.append("traits")
    if stakeholder.kind == Kind.PROXY:
        groups.speak_for(proxy=stakeholder, groups=speaks_for, by=by)
        groups.require_a_group(stakeholder)
    elif "kind" in changed:
        groups.end_all_representations(stakeholder=stakeholder, by=by)
    if stakeholder.safety_level == SafetyLevel.HIGH and not stakeholder.grants.active().filter(
            user=by.user).exists():
        # Whoever raises someone to high safety keeps the access they already had.
        _grant(stakeholder=stakeholder, user=by.user, reason=_("raised the safety level to high"), by=by)
    if changed:
        audit.record(
            organisation=stakeholder.organisation, by=by, action="stakeholder.updated",
            target=stakeholder, summary=_summary(stakeholder), changed_fields=changed,
        )
    return stakeholder


@transaction.atomic
def record_consent(
    *,
    stakeholder: Stakeholder,
    scope: str,
    granted: bool,
    method: str,
    given_on: datetime.date,
    notes: str = "",
    by: Viewer,
) -> ConsentRecord:
    """Record what the stakeholder agreed or refused; a new record supersedes older ones of the same scope."""
    consent = ConsentRecord(
        stakeholder=stakeholder, scope=scope, granted=granted, method=method, given_on=given_on,
        notes=notes, recorded_by=by.user,
    )
    consent.full_clean(exclude=["stakeholder", "recorded_by"])
    consent.save()
    audit.record(
        organisation=stakeholder.organisation, by=by, action="consent.recorded", target=stakeholder,
        summary=f"{scope}={'granted' if granted else 'refused'} ({method})", changed_fields=["consent"],
    )
    return consent


@transaction.atomic
def withdraw_consent(*, consent: ConsentRecord, by: Viewer) -> ConsentRecord:
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit.record(
            organisation=consent.stakeholder.organisation, by=by, action="consent.withdrawn",
            target=consent.stakeholder, summary=consent.scope, changed_fields=["consent"],
        )
    return consent


@transaction.atomic
def dismiss_duplicate_flag(*, flag: DuplicateFlag, by: Viewer) -> DuplicateFlag:
    """Record that a flagged pair are in fact different stakeholders."""
    if flag.dismissed_at is None:
        flag.dismissed_at = timezone.now()
        flag.dismissed_by = by.user
        flag.save(update_fields=["dismissed_at", "dismissed_by"])
        audit.record(
            organisation=flag.stakeholder.organisation, by=by, action="stakeholder.duplicate_dismissed",
            target=flag.stakeholder, summary=f"#{flag.stakeholder_id} is not #{flag.other_id}",
        )
    return flag



def _grant(*, stakeholder: Stakeholder, user, reason: str, by: Viewer) -> StakeholderGrant:
    grant = StakeholderGrant.objects.create(stakeholder=stakeholder, user=user, reason=reason[:300],
                                            granted_by=by.user)
    audit.record(
        organisation=stakeholder.organisation, by=by, action="grant.given", target=stakeholder,
        summary=f"#{stakeholder.pk} to {user.get_username()}: {reason}"[:300], changed_fields=["grants"],
    )
    return grant


@transaction.atomic
def grant_access(*, stakeholder: Stakeholder, user, reason: str, by: Viewer) -> StakeholderGrant:
    """Let one more member know of, and reveal, a high-safety stakeholder; only grant holders may do so."""
    if not stakeholder.grants.active().filter(user=by.user).exists():
        raise PermissionDenied(_("Only someone who already holds access can grant it."))
    if not Membership.objects.active().filter(user=user, organisation=stakeholder.organisation).exists():
        raise ValidationError({"user": _("Choose an active member of this organisation.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this person needs to know.")})
    existing = stakeholder.grants.active().filter(user=user).first()
    return existing or _grant(stakeholder=stakeholder, user=user, reason=reason.strip(), by=by)


@transaction.atomic
def revoke_access(*, grant: StakeholderGrant, by: Viewer) -> StakeholderGrant:
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = by.user
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            organisation=grant.stakeholder.organisation, by=by, action="grant.revoked", target=grant.stakeholder,
            summary=f"#{grant.stakeholder_id} from {grant.user.get_username()}", changed_fields=["grants"],
        )
    return grant


@transaction.atomic
def reveal_identity(*, stakeholder: Stakeholder, reason: str, by: Viewer) -> None:
    """Record that a grant holder chose to see a protected identity, and why."""
    audit.record(
        organisation=stakeholder.organisation, by=by, action="identity.revealed", target=stakeholder,
        summary=reason.strip()[:300],
    )


def record_identity_read(*, stakeholder: Stakeholder, by: Viewer, where: str) -> None:
    """Every view of a revealed protected identity leaves one audit entry."""
    with transaction.atomic():
        audit.record(organisation=stakeholder.organisation, by=by, action="identity.read", target=stakeholder,
                     summary=where[:300])


@transaction.atomic
def erase_stakeholder(*, stakeholder: Stakeholder, reason: str, by: Viewer | None) -> Stakeholder:
    """Erase a person: destroy their key, clear what identifies them, keep anonymous facts. Idempotent."""
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    if stakeholder.is_erased:
        return stakeholder
    subjects.shred(stakeholder, now=timezone.now())
    audit.record(
        organisation=stakeholder.organisation, by=by, action="stakeholder.erased", target=stakeholder,
        summary=reason.strip()[:300], changed_fields=list(Stakeholder.sealed_fields),
    )
    # Written before the transaction commits: if the commit failed, replaying would only erase
    # someone whose erasure was already asked for; a lost line would let a restore bring them back.
    subjects.append_to_erasure_log(stakeholder)
    return stakeholder


@transaction.atomic
def export_subject(*, stakeholder: Stakeholder, by: Viewer | None) -> dict:
    """Everything held about one person, for a subject access request; the export itself is audited."""
    document = subjects.export(stakeholder)
    audit.record(organisation=stakeholder.organisation, by=by, action="stakeholder.exported", target=stakeholder,
                 summary="subject access export")
    return document


def replay_erasures(*, entries: list[dict]) -> int:
    """Erase again everyone the erasure log names (after restoring an older backup); returns how many."""
    erased = 0
    for entry in entries:
        stakeholder = Stakeholder.objects.filter(uid=entry["stakeholder"], erased_at__isnull=True).first()
        if stakeholder is None:
            continue
        with transaction.atomic():
            stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
            subjects.shred(stakeholder, now=timezone.now())
            audit.record(organisation=stakeholder.organisation, by=None, action="stakeholder.erased",
                         target=stakeholder, summary="replayed from the erasure log",
                         changed_fields=list(Stakeholder.sealed_fields))
        erased += 1
    return erased
