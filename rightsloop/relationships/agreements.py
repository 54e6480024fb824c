"""Every change to relationship agreements (P1) and relationship owners: keyword-only, typed, atomic, audited.

The workflow of an agreement's newest version: drafted → proposed → accepted (in force from its start date) /
declined / changes requested; an agreement accepted or in force can be put under review; any version that was
proposed is kept, and changing proposed terms means a new version, which needs a new acceptance. Until then
the version accepted before still governs (queries.attribution_terms).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.models import User
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core.languages import stakeholder_language
from rightsloop.engagements.vocabulary import EngagementType
from rightsloop.stakeholders.channels import permitted
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.queries import hidden_from_member, reach_of
from rightsloop.stakeholders.vocabulary import Channel, SafetyLevel

from . import queries
from .models import (
    Agreement,
    AgreementReminder,
    AgreementState,
    AgreementVersion,
    Answer,
    AnswerVia,
    BriefingTopic,
    Relationship,
    ReminderKind,
    TheyMay,
    WeMay,
)

# Fields of AgreementVersion that make up the terms (and are copied into a new version).
TERM_FIELDS = (
    "starts_on", "review_on", "engagements_expected", "engagement_kinds", "indicative_months", "briefing_topics",
    "briefing_notes", "feedback_within_days", "loop_closure_notes", "our_handling", "their_handling", "we_may",
    "they_may", "attribution_notes", "nda_scope", "nda_sunset_on", "compensation_terms",
)
EDITABLE = {AgreementState.DRAFTED}
REVISABLE = {AgreementState.ACCEPTED, AgreementState.IN_FORCE, AgreementState.UNDER_REVIEW,
             AgreementState.DECLINED, AgreementState.CHANGES_REQUESTED}
REVIEWABLE = {AgreementState.ACCEPTED, AgreementState.IN_FORCE}
COMMENT_MAX = 5000
# A stakeholder told that their NDA has lapsed long after the fact learns nothing useful: the first run after
# a deployment does not mail sunsets older than this.
SUNSET_PASSED_WINDOW_DAYS = 30


@dataclass
class AgreementTerms:
    """The terms of one version, as the form or the API hands them over; `check` says what is wrong."""

    starts_on: datetime.date | None = None
    review_on: datetime.date | None = None
    engagements_expected: int | None = None
    engagement_kinds: list[str] = field(default_factory=list)
    indicative_months: list[int] = field(default_factory=list)
    briefing_topics: list[str] = field(default_factory=list)
    briefing_notes: str = ""
    feedback_within_days: int | None = None
    loop_closure_notes: str = ""
    our_handling: str = ""
    their_handling: str = ""
    we_may: dict[str, bool] = field(default_factory=dict)
    they_may: dict[str, bool] = field(default_factory=dict)
    attribution_notes: str = ""
    nda_scope: str = ""
    nda_sunset_on: datetime.date | None = None
    compensation_terms: str = ""

    @classmethod
    def of(cls, version: AgreementVersion) -> AgreementTerms:
        return cls(**{name: getattr(version, name) for name in TERM_FIELDS})

    def check(self) -> None:
        """Raise ValidationError naming every broken rule by field; nothing is saved when one is broken."""
        errors: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        if self.starts_on is None:
            add("starts_on", _("Give the date the agreement starts."))
        if self.review_on is None:
            add("review_on", _("Give a review date."))
        elif self.starts_on and self.review_on <= self.starts_on:
            add("review_on", _("The review date must come after the start."))
        if self.nda_scope.strip() and self.nda_sunset_on is None:
            add("nda_sunset_on", _("An NDA needs a sunset date, after which they may speak openly."))
        if self.nda_sunset_on is not None:
            if not self.nda_scope.strip():
                add("nda_scope", _("Say what the NDA covers, or leave its sunset date empty."))
            if self.starts_on and self.nda_sunset_on <= self.starts_on:
                add("nda_sunset_on", _("The NDA must end after the agreement starts."))
        if self.engagements_expected is not None and not 0 <= self.engagements_expected <= 366:
            add("engagements_expected", _("Give a number of engagements between 0 and 366."))
        if self.feedback_within_days is not None and not 1 <= self.feedback_within_days <= 365:
            add("feedback_within_days", _("Give a number of days between 1 and 365."))
        if any(kind not in EngagementType.values for kind in self.engagement_kinds):
            add("engagement_kinds", _("Unknown kind of engagement."))
        if any(isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12 for m in self.indicative_months):
            add("indicative_months", _("Months are numbers from 1 to 12."))
        if any(topic not in BriefingTopic.values for topic in self.briefing_topics):
            add("briefing_topics", _("Unknown briefing topic."))
        for name, codes in (("we_may", WeMay.values), ("they_may", TheyMay.values)):
            permissions = getattr(self, name)
            if not isinstance(permissions, dict) or any(
                    code not in codes or not isinstance(allowed, bool) for code, allowed in permissions.items()):
                add(name, _("Unknown permission, or an answer other than allowed (true) or not allowed (false)."))
        if errors:
            raise ValidationError(errors)

    def values(self) -> dict:
        values = asdict(self)
        values["engagement_kinds"] = sorted(set(self.engagement_kinds))
        values["indicative_months"] = sorted(set(self.indicative_months))
        values["briefing_topics"] = sorted(set(self.briefing_topics))
        return values


def _refuse(message: str) -> ValidationError:
    return ValidationError({"state": [message]})


def _lock(agreement: Agreement) -> Agreement:
    """Re-read the agreement under a row lock, so two answers or two edits never interleave."""
    return Agreement.objects.select_for_update(of=("self",)).select_related(
        "current_version", "accepted_version", "stakeholder").get(pk=agreement.pk)


def _record(agreement: Agreement, by: Viewer | None, action: str, summary: str = "", changed=()) -> None:
    audit.record(organisation=agreement.organisation, by=by, action=action, target=agreement,
                 summary=summary, changed_fields=changed)


# Drafting -------------------------------------------------------------------------

@transaction.atomic
def create_agreement(*, stakeholder, terms: AgreementTerms, by: Viewer) -> Agreement:
    """Draft a first version of an agreement with a stakeholder who has no open one."""
    terms.check()
    if stakeholder.is_erased:
        raise ValidationError({"stakeholder_id": [_("This stakeholder was erased.")]})
    if Agreement.objects.filter(stakeholder=stakeholder).open().exists():
        raise ValidationError({"stakeholder_id": [_("This stakeholder already has an agreement that has not ended.")]})
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(organisation=stakeholder.organisation, stakeholder=stakeholder,
                                                 created_by=by.user)
    except IntegrityError:
        raise ValidationError(
            {"stakeholder_id": [_("This stakeholder already has an agreement that has not ended.")]}) from None
    version = AgreementVersion.objects.create(agreement=agreement, number=1, created_by=by.user, **terms.values())
    agreement.current_version = version
    agreement.save(update_fields=["current_version", "updated_at"])
    _record(agreement, by, "agreement.drafted", f"stakeholder {stakeholder.pk}, version 1",
            changed=TERM_FIELDS)
    return agreement


@transaction.atomic
def update_draft(*, agreement: Agreement, terms: AgreementTerms, by: Viewer) -> Agreement:
    """Change the terms of a version not yet proposed."""
    terms.check()
    agreement = _lock(agreement)
    if agreement.state not in EDITABLE:
        raise _refuse(_("Only a draft can be changed; start a new version instead."))
    version = agreement.current_version
    before = {name: getattr(version, name) for name in TERM_FIELDS}
    for name, value in terms.values().items():
        setattr(version, name, value)
    changed = [name for name in TERM_FIELDS if getattr(version, name) != before[name]]
    if changed:
        version.save(update_fields=changed)
        agreement.save(update_fields=["updated_at"])
        _record(agreement, by, "agreement.draft_changed", f"version {version.number}", changed=changed)
    return agreement


@transaction.atomic
def revise_agreement(*, agreement: Agreement, by: Viewer) -> Agreement:
    """Start a new version from the newest terms; the old ones stay, and the accepted ones govern meanwhile."""
    agreement = _lock(agreement)
    if agreement.state not in REVISABLE:
        raise _refuse(_("This agreement cannot get a new version now."))
    previous = agreement.current_version
    version = AgreementVersion.objects.create(
        agreement=agreement, number=previous.number + 1, created_by=by.user,
        **{name: getattr(previous, name) for name in TERM_FIELDS})
    agreement.current_version = version
    agreement.state = AgreementState.DRAFTED
    agreement.save(update_fields=["current_version", "state", "updated_at"])
    _record(agreement, by, "agreement.revised", f"version {version.number} from {previous.number}",
            changed=["state", "current_version"])
    return agreement


@transaction.atomic
def propose_agreement(*, agreement: Agreement, by: Viewer) -> Agreement:
    """Put the drafted version to the stakeholder."""
    agreement = _lock(agreement)
    if agreement.state != AgreementState.DRAFTED:
        raise _refuse(_("Only a draft can be proposed."))
    AgreementTerms.of(agreement.current_version).check()
    version = agreement.current_version
    version.proposed_at = timezone.now()
    version.save(update_fields=["proposed_at"])
    agreement.state = AgreementState.PROPOSED
    agreement.save(update_fields=["state", "updated_at"])
    _record(agreement, by, "agreement.proposed", f"version {version.number}", changed=["state"])
    return agreement


# The stakeholder's answer --------------------------------------------------------------

@transaction.atomic
def answer_agreement(*, agreement: Agreement, answer: str, comment: str = "", via: str,
                     by: Viewer | None, today: datetime.date | None = None) -> Agreement:
    """Record the stakeholder's answer to the proposed version: in the portal (by None) or told to staff (by).

    Asking for changes needs a comment saying which; accepting brings the version into force from its start.
    """
    today = today or timezone.localdate()
    comment = (comment or "").strip()
    if answer not in Answer.values:
        raise ValidationError({"answer": [_("Choose accept, decline or ask for changes.")]})
    if via not in AnswerVia.values or (by is None) != (via == AnswerVia.PORTAL):
        raise ValidationError({"via": [_("Say how the answer reached you.")]})
    if answer == Answer.CHANGES_REQUESTED and not comment:
        raise ValidationError({"comment": [_("Say which changes you would like.")]})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": [_("Keep the comment under %(max)s characters.") % {"max": COMMENT_MAX}]})
    agreement = _lock(agreement)
    if agreement.state != AgreementState.PROPOSED:
        raise _refuse(_("There is no proposal waiting for an answer."))
    version = agreement.current_version
    version.answer = answer
    version.answered_at = timezone.now()
    version.answered_via = via
    version.answer_recorded_by = by.user if by else None
    version.comment = comment
    version.save(update_fields=["answer", "answered_at", "answered_via", "answer_recorded_by"])
    fields = ["state", "updated_at"]
    if answer == Answer.ACCEPTED:
        agreement.accepted_version = version
        fields.append("accepted_version")
        agreement.state = AgreementState.IN_FORCE if version.starts_on <= today else AgreementState.ACCEPTED
    else:
        agreement.state = answer
    agreement.save(update_fields=fields)
    who = "the stakeholder in the portal" if by is None else f"recorded by staff, received {via}"
    _record(agreement, by, f"agreement.{answer}", f"version {version.number}, {who}",
            changed=["state", *(["comment"] if comment else [])])
    return agreement


# Review and end ----------------------------------------------------------------------

@transaction.atomic
def start_review(*, agreement: Agreement, by: Viewer) -> Agreement:
    agreement = _lock(agreement)
    if agreement.state not in REVIEWABLE:
        raise _refuse(_("Only an accepted agreement or one in force can be reviewed."))
    agreement.state = AgreementState.UNDER_REVIEW
    agreement.save(update_fields=["state", "updated_at"])
    _record(agreement, by, "agreement.under_review", changed=["state"])
    return agreement


@transaction.atomic
def end_agreement(*, agreement: Agreement, reason: str, by: Viewer, on: datetime.date | None = None) -> Agreement:
    """End the agreement; an NDA it set still binds until its sunset."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the agreement ends.")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("Keep the reason under 500 characters.")]})
    agreement = _lock(agreement)
    if agreement.state == AgreementState.ENDED:
        raise _refuse(_("This agreement has already ended."))
    agreement.state = AgreementState.ENDED
    agreement.ended_on = on or timezone.localdate()
    agreement.end_reason = reason
    agreement.save(update_fields=["state", "ended_on", "end_reason", "updated_at"])
    # The reason is staff's own words but may name people: its length only goes to the log.
    _record(agreement, by, "agreement.ended", f"ended on {agreement.ended_on.isoformat()}",
            changed=["state", "ended_on", "end_reason"])
    return agreement


def bring_into_force(*, today: datetime.date) -> int:
    """Move accepted agreements whose start has come to in force; returns how many moved."""
    moved = 0
    for agreement in Agreement.objects.filter(state=AgreementState.ACCEPTED,
                                              accepted_version__starts_on__lte=today).select_related("organisation"):
        with transaction.atomic():
            updated = Agreement.objects.filter(pk=agreement.pk, state=AgreementState.ACCEPTED).update(
                state=AgreementState.IN_FORCE, updated_at=timezone.now())
            if updated:
                _record(agreement, None, "agreement.in_force", f"start {today.isoformat()}", changed=["state"])
                moved += 1
    return moved


# Owners -----------------------------------------------------------------------------

@transaction.atomic
def set_owner(*, stakeholder, owner: User | None, by: Viewer) -> Relationship:
    """Name the staff member who owns the relationship (None: the human rights lead stands in)."""
    if owner is not None:
        if not queries.possible_owners(stakeholder.organisation).filter(pk=owner.pk).exists():
            raise ValidationError({"owner": [_("Choose a member who may edit relationships.")]})
        if hidden_from_member(stakeholder.organisation, owner).filter(pk=stakeholder.pk).exists():
            raise ValidationError({"owner": [_("This member may not see this stakeholder: give them a grant first.")]})
    relationship, _created = Relationship.objects.select_for_update().get_or_create(
        stakeholder=stakeholder, defaults={"organisation": stakeholder.organisation})
    if relationship.owner_id != (owner.pk if owner else None):
        relationship.owner = owner
        relationship.save(update_fields=["owner", "updated_at"])
        audit.record(organisation=stakeholder.organisation, by=by, action="relationship.owner_set",
                     target=relationship, summary=f"owner {owner.get_username() if owner else '-'}",
                     changed_fields=["owner"])
    return relationship


# Reminders -----------------------------------------------------------------------------

def _claim(agreement: Agreement, kind: str, about: datetime.date, today: datetime.date, channel: str = "") -> bool:
    """Claim the reminder before sending it: False when it was already sent (or is being sent elsewhere)."""
    try:
        with transaction.atomic():
            AgreementReminder.objects.create(agreement=agreement, kind=kind, about=about, sent_on=today,
                                             channel=channel)
    except IntegrityError:
        return False
    return True


def _named(stakeholder) -> str:
    """How an email names the stakeholder: anyone the safety rules protect by a pseudonym only."""
    if stakeholder.is_erased or stakeholder.safety_level != SafetyLevel.NORMAL:
        return pseudonym(stakeholder.pk)
    return stakeholder.name


def _owner_email(owner: User, agreement: Agreement, kind: str, about: datetime.date, template: str) -> EmailMessage:
    base = settings.RIGHTSLOOP_BASE_URL.rstrip("/")
    with translation.override(agreement.organisation.default_language):
        hidden = hidden_from_member(agreement.organisation, owner).filter(pk=agreement.stakeholder_id).exists()
        context = {
            "owner": owner, "about": about, "kind": kind,
            "stakeholder": pseudonym(agreement.stakeholder_id) if hidden else _named(agreement.stakeholder),
            "url": base + reverse("relationships:agreement-detail", args=[agreement.pk]),
            "version": agreement.accepted_version,
        }
        body = render_to_string(f"relationships/agreement_email/{template}.txt", context)
        subject = {
            ReminderKind.REVIEW_DUE: _("An agreement is due for review on %(date)s"),
            ReminderKind.SUNSET_SOON: _("An NDA ends on %(date)s"),
            ReminderKind.SUNSET_PASSED: _("Tell a stakeholder their NDA has ended"),
        }[kind] % {"date": about.isoformat()}
    return EmailMessage(subject=subject, body=body, to=[owner.email], headers={"Auto-Submitted": "auto-generated"})


def _stakeholder_email(agreement: Agreement, version: AgreementVersion) -> EmailMessage:
    stakeholder = agreement.stakeholder
    language = stakeholder_language([stakeholder.preferred_language, *stakeholder.languages],
                                    country=stakeholder.country,
                                    organisation_language=agreement.organisation.default_language)
    with translation.override(language):
        body = render_to_string("relationships/agreement_email/sunset_passed_stakeholder.txt", {
            "organisation": agreement.organisation, "version": version, "stakeholder": stakeholder,
        })
        subject = _("You may now speak openly about your engagement with %(organisation)s") % {
            "organisation": agreement.organisation.name}
    return EmailMessage(subject=subject, body=body, to=[stakeholder.email],
                        headers={"Auto-Submitted": "auto-generated", "Content-Language": language})


def _send_to_owners(agreement: Agreement, kind: str, about: datetime.date, today: datetime.date,
                    template: str) -> int:
    owners = [owner for owner in queries.owner_of(agreement.stakeholder) if owner.email]
    if not owners:
        return 0
    with transaction.atomic():
        if not _claim(agreement, kind, about, today, channel="owner"):
            return 0
        for owner in owners:
            _owner_email(owner, agreement, kind, about, template).send(fail_silently=False)
        _record(agreement, None, "agreement.reminder_sent", f"{kind} {about.isoformat()} to {len(owners)} owner(s)")
    return len(owners)


def _tell_stakeholder(agreement: Agreement, today: datetime.date) -> int:
    """Tell the stakeholder their NDA has lapsed, by email only where their safety level allows it.

    Otherwise the owner is asked to tell them through a safe channel (in person, through a proxy): an email
    from a company to a person at risk can itself be the danger.
    """
    version = agreement.accepted_version
    stakeholder = agreement.stakeholder
    if stakeholder.is_erased:
        return 0
    reach = reach_of(stakeholder, has_proxy=False)
    by_email = permitted(reach, Channel.EMAIL)
    if not by_email:
        return _send_to_owners(agreement, ReminderKind.SUNSET_PASSED, version.nda_sunset_on, today,
                               "sunset_passed_owner")
    with transaction.atomic():
        if not _claim(agreement, ReminderKind.SUNSET_PASSED, version.nda_sunset_on, today, channel="email"):
            return 0
        _stakeholder_email(agreement, version).send(fail_silently=False)
        _record(agreement, None, "agreement.sunset_told", f"NDA sunset {version.nda_sunset_on.isoformat()} by email")
    return 1


def send_agreement_reminders(*, today: datetime.date) -> int:
    """Bring accepted agreements into force, then remind owners of reviews and sunsets and tell stakeholders
    whose NDA has lapsed; each reminder is claimed before it is sent, so running twice sends nothing twice."""
    bring_into_force(today=today)
    sent = 0
    base = (Agreement.objects.filter(accepted_version__isnull=False)
            .select_related("organisation", "stakeholder", "accepted_version"))
    review_horizon = today + datetime.timedelta(days=queries.REVIEW_NOTICE_DAYS)
    for agreement in base.filter(state__in=[AgreementState.ACCEPTED, AgreementState.IN_FORCE],
                                 accepted_version__review_on__lte=review_horizon):
        sent += _send_to_owners(agreement, ReminderKind.REVIEW_DUE, agreement.accepted_version.review_on, today,
                                "review_due")
    sunset_horizon = today + datetime.timedelta(days=queries.SUNSET_NOTICE_DAYS)
    for agreement in base.filter(accepted_version__nda_sunset_on__gt=today,
                                 accepted_version__nda_sunset_on__lte=sunset_horizon):
        if agreement.accepted_version.has_nda:
            sent += _send_to_owners(agreement, ReminderKind.SUNSET_SOON, agreement.accepted_version.nda_sunset_on,
                                    today, "sunset_soon")
    oldest = today - datetime.timedelta(days=SUNSET_PASSED_WINDOW_DAYS)
    for agreement in base.filter(accepted_version__nda_sunset_on__lte=today,
                                 accepted_version__nda_sunset_on__gte=oldest):
        if agreement.accepted_version.has_nda:
            sent += _tell_stakeholder(agreement, today)
    return sent

