"""Every change to rating rounds and ratings (P2): open and close a round, record an answer, flag, remind.

Keyword-only, typed, atomic; each writes the audit log with ids and field names, never a score's comment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, QuerySet, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core.access import plausible_id
from rightsloop.stakeholders import queries as stakeholder_queries
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.vocabulary import SafetyLevel

from . import rating_queries
from .models import (
    DIMENSIONS,
    Rating,
    RatingFlag,
    RatingInvitation,
    RatingNotice,
    RatingRound,
    RatingSettings,
    RatingTally,
)

LOW = 2             # a score at or below this on any dimension flags the relationship
FALL = 1            # a drop of at least this on any dimension against the previous round flags it
REMIND_DAYS_BEFORE_CLOSE = 3


@dataclass(frozen=True)
class Chooser:
    """Which stakeholders a round asks: the ones named, and/or everyone matching the filters."""

    stakeholder_ids: tuple[int, ...] = ()
    kind: str = ""
    region: str = ""
    global_south: bool | None = None
    language: str = ""

    @property
    def filters(self) -> stakeholder_queries.StakeholderFilters:
        return stakeholder_queries.StakeholderFilters(kind=self.kind, region=self.region,
                                                      global_south=self.global_south, language=self.language)

    @property
    def by_filter(self) -> bool:
        return bool(self.kind or self.region or self.global_south is not None or self.language)

    def describe(self) -> dict:
        return {"named": len(self.stakeholder_ids), "kind": self.kind, "region": self.region,
                "global_south": self.global_south, "language": self.language}

    def askable(self, viewer: Viewer) -> QuerySet[Stakeholder]:
        """Everyone the viewer could ask: people they may see (never a hidden one), leaving out the erased."""
        return stakeholder_queries.visible_stakeholders(viewer).filter(erased_at=None)

    def unknown_ids(self, viewer: Viewer) -> list[int]:
        """Named ids that are not someone the viewer could ask: another organisation's, a high-safety person
        without a grant, an erased one, or no one at all (told apart from each other by nothing)."""
        ids = {pk for pk in self.stakeholder_ids if plausible_id(pk)}
        found = set(self.askable(viewer).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        return sorted(pk for pk in set(self.stakeholder_ids) if pk not in found)

    def people(self, viewer: Viewer) -> QuerySet[Stakeholder]:
        """The chosen people the viewer may see (never a hidden one), leaving out the erased."""
        visible = self.askable(viewer)
        ids = [pk for pk in self.stakeholder_ids if plausible_id(pk)]
        named = visible.filter(pk__in=ids) if ids else visible.none()
        if not self.by_filter:
            return named
        matching = self.filters.apply(visible, viewer.organisation)
        return visible.filter(pk__in=matching.values("pk")) | named


def _check_scores(scores: dict[str, int]) -> None:
    errors = {}
    for name in DIMENSIONS:
        value = scores.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[name] = _("Choose a number from 1 to 5.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def open_round(*, viewer: Viewer, title: str, opens_on: datetime.date, closes_on: datetime.date,
               chooser: Chooser) -> RatingRound:
    """Create a round and ask the chosen people; the daily task sends their links once it opens."""
    if not viewer.can(Capability.RELATIONSHIPS_EDIT):
        raise ValidationError(_("Your role may not open rating rounds."))
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the round a title.")
    if closes_on < opens_on:
        errors["closes_on"] = _("A round cannot close before it opens.")
    if closes_on < timezone.localdate():
        errors["closes_on"] = _("A round cannot close in the past.")
    unknown = chooser.unknown_ids(viewer)
    if unknown:
        # Refused whole, never quietly narrowed: a list naming someone the viewer may not ask is a mistake
        # or a probe, and the answer must be the same whichever it is.
        shown = ", ".join(str(pk) for pk in unknown[:20]) + (" …" if len(unknown) > 20 else "")
        errors["stakeholder_ids"] = _("These numbers name no stakeholder you can ask: %(ids)s.") % {"ids": shown}
    people = list(chooser.people(viewer).values_list("pk", flat=True))
    if not people and "closes_on" not in errors and not unknown:
        errors["stakeholders"] = _("Nobody you may see matches: choose stakeholders or change the filters.")
    if errors:
        raise ValidationError(errors)
    round = RatingRound.objects.create(organisation=viewer.organisation, title=title.strip(), opens_on=opens_on,
                                       closes_on=closes_on, chosen_by=chooser.describe(), created_by=viewer.user,
                                       invited_count=len(people))
    RatingInvitation.objects.bulk_create(
        [RatingInvitation(organisation=viewer.organisation, round=round, stakeholder_id=pk) for pk in people],
        batch_size=2000)
    audit.record(organisation=viewer.organisation, by=viewer, action="rating_round.opened", target=round,
                 summary=f"{len(people)} stakeholders asked, {opens_on} to {closes_on}",
                 changed_fields=["title", "opens_on", "closes_on"])
    return round


@transaction.atomic
def close_round(*, viewer: Viewer, round: RatingRound) -> RatingRound:
    """Close a round early: answers can no longer change and no more reminders go out."""
    if not viewer.can(Capability.RELATIONSHIPS_EDIT):
        raise ValidationError(_("Your role may not close rating rounds."))
    locked = RatingRound.objects.select_for_update().get(pk=round.pk)
    if locked.state(timezone.localdate()) == "closed":
        raise ValidationError(_("This round is already closed."))
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at"])
    audit.record(organisation=locked.organisation, by=viewer, action="rating_round.closed", target=locked,
                 changed_fields=["closed_at"])
    return locked


@transaction.atomic
def record_rating(*, round: RatingRound, stakeholder: Stakeholder, scores: dict[str, int], comment: str = "",
                  language: str = "", by: Viewer | None = None) -> Rating:
    """Record (or change) a stakeholder's answer while the round is open; `by` is the staff member who typed
    in an answer given offline, None when the stakeholder answered in the portal."""
    _check_scores(scores)
    today = timezone.localdate()
    if stakeholder.organisation_id != round.organisation_id or stakeholder.is_erased:
        raise ValidationError(_("This stakeholder cannot answer in this round."))
    if not round.is_open(today):
        raise ValidationError(_("This round is not open: answers can be given only between its dates."))
    invitation = (RatingInvitation.objects.select_for_update()
                  .filter(round=round, stakeholder=stakeholder).first())
    if invitation is None:
        raise ValidationError(_("This stakeholder was not asked in this round."))
    rating = Rating.objects.filter(round=round, stakeholder=stakeholder).select_related("stakeholder").first()
    changed = rating is not None
    if changed:
        _count(rating, -1)
    else:
        rating = Rating(organisation_id=round.organisation_id, round=round, stakeholder=stakeholder,
                        answered_at=timezone.now())
    for name, value in scores.items():
        if name in DIMENSIONS:
            setattr(rating, name, value)
    rating.comment = comment.strip()
    rating.language = language[:8]
    rating.kind, rating.region_code, rating.global_south = (stakeholder.kind, stakeholder.region_code,
                                                            stakeholder.global_south)
    rating.recorded_by = by.user if by else None
    rating.save()
    _count(rating, +1)
    if not invitation.answered:
        invitation.answered = True
        invitation.save(update_fields=["answered"])
        RatingRound.objects.filter(pk=round.pk).update(answered_count=F("answered_count") + 1)
    flag = _reflag(rating)
    audit.record(organisation=round.organisation, by=by, action="rating.changed" if changed else "rating.recorded",
                 target=rating, summary=f"round {round.pk}, stakeholder {stakeholder.pk}"
                 + (", given offline" if by else ", in the portal"),
                 changed_fields=[*DIMENSIONS, "comment"])
    if flag is not None and flag.notified_at is None:
        from .rating_tasks import tell_owner_of_flag

        transaction.on_commit(lambda: tell_owner_of_flag.enqueue(flag.pk))
    return rating


def south_code(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def _count(rating: Rating, sign: int) -> None:
    """Add an answer to its group's tally (or take it out before it changes), in the answer's transaction."""
    group = {"round_id": rating.round_id, "kind": rating.kind, "region_code": rating.region_code,
             "global_south": south_code(rating.global_south)}
    changes = {"answers": F("answers") + sign, **{name: F(name) + sign * getattr(rating, name) for name in DIMENSIONS}}
    if RatingTally.objects.filter(**group).update(**changes) or sign < 0:
        return
    try:
        with transaction.atomic():
            RatingTally.objects.create(organisation_id=rating.organisation_id, **group, answers=1,
                                       **{name: getattr(rating, name) for name in DIMENSIONS})
    except IntegrityError:  # another answer created the tally first
        RatingTally.objects.filter(**group).update(**changes)


def rebuild_tallies(*, organisation) -> int:
    """Recount every tally of an organisation from its ratings (one GROUP BY): for data loaded in bulk, and
    to check the running totals. Returns the number of tallies written."""
    RatingTally.objects.filter(organisation=organisation).delete()
    rows = (Rating.objects.filter(organisation=organisation)
            .values("round_id", "kind", "region_code", "global_south")
            .annotate(n=Count("id"), **{f"sum_{name}": Sum(name) for name in DIMENSIONS}).order_by())
    tallies = {}
    for row in rows:
        key = (row["round_id"], row["kind"], row["region_code"], south_code(row["global_south"]))
        tally = tallies.setdefault(key, RatingTally(organisation=organisation, round_id=key[0], kind=key[1],
                                                    region_code=key[2], global_south=key[3]))
        tally.answers += row["n"]
        for name in DIMENSIONS:
            setattr(tally, name, getattr(tally, name) + row[f"sum_{name}"])
    RatingTally.objects.bulk_create(tallies.values(), batch_size=2000)
    return len(tallies)


def flag_reasons(rating: Rating, previous: Rating | None) -> tuple[str, list[str]]:
    """Whether an answer is low (≤ 2 on any dimension) or falling (≥ 1 lower than their previous round on
    any dimension), and on which dimensions; ("", []) when neither."""
    low = [name for name in DIMENSIONS if getattr(rating, name) <= LOW]
    fell = [] if previous is None else [
        name for name in DIMENSIONS if getattr(previous, name) - getattr(rating, name) >= FALL]
    if low and fell:
        reason = RatingFlag.Reason.LOW_AND_FALLING
    elif low:
        reason = RatingFlag.Reason.LOW
    elif fell:
        reason = RatingFlag.Reason.FALLING
    else:
        return "", []
    return reason, sorted(set(low) | set(fell), key=DIMENSIONS.index)


def _reflag(rating: Rating) -> RatingFlag | None:
    """Keep the rating's flag in step with its answer. A flag already emailed stays (the owner was told);
    one not yet sent goes when a changed answer no longer warrants it."""
    reason, dimensions = flag_reasons(rating, rating_queries.previous_rating(rating))
    flag = RatingFlag.objects.filter(rating=rating).first()
    if not reason:
        if flag is not None and flag.notified_at is None:
            flag.delete()
        return None
    if flag is None:
        flag = RatingFlag.objects.create(organisation_id=rating.organisation_id, rating=rating,
                                         stakeholder_id=rating.stakeholder_id, reason=reason, dimensions=dimensions)
        audit.record(organisation=rating.organisation, by=None, action="rating.flagged", target=flag,
                     summary=f"{reason} on {', '.join(dimensions)}")
    elif (flag.reason, flag.dimensions) != (reason, dimensions):
        flag.reason, flag.dimensions = reason, dimensions
        flag.save(update_fields=["reason", "dimensions"])
    return flag


@transaction.atomic
def mark_flag_seen(*, viewer: Viewer, flag: RatingFlag) -> RatingFlag:
    if flag.seen_at is None:
        flag.seen_at, flag.seen_by = timezone.now(), viewer.user
        flag.save(update_fields=["seen_at", "seen_by"])
        audit.record(organisation=viewer.organisation, by=viewer, action="rating.flag_seen", target=flag,
                     changed_fields=["seen_at"])
    return flag


@transaction.atomic
def set_smallest_group(*, viewer: Viewer, smallest_group: int) -> RatingSettings:
    if not viewer.can(Capability.ORGANISATION_MANAGE):
        raise ValidationError(_("Only an administrator may change this."))
    if not 3 <= smallest_group <= 50:
        raise ValidationError({"smallest_group": _("Choose a number from 3 to 50.")})
    found, _created = RatingSettings.objects.update_or_create(
        organisation=viewer.organisation, defaults={"smallest_group": smallest_group})
    audit.record(organisation=viewer.organisation, by=viewer, action="rating_settings.changed", target=found,
                 summary=f"smallest group {smallest_group}", changed_fields=["smallest_group"])
    return found


# Messages ---------------------------------------------------------------------------------------------

def _shown_in_mail(stakeholder: Stakeholder) -> str:
    """How a message to staff names the stakeholder: never the name of anyone the safety rules protect."""
    if stakeholder.is_erased or stakeholder.safety_level in (SafetyLevel.ELEVATED, SafetyLevel.HIGH):
        return pseudonym(stakeholder.pk)
    return stakeholder.name


def _base() -> str:
    return settings.RIGHTSLOOP_BASE_URL.rstrip("/")


def _send_link(notice: RatingNotice, stakeholder: Stakeholder, round: RatingRound) -> str:
    """Send the stakeholder a fresh portal link by email where their safety allows it, else ask the owner to
    hand one over; returns the channel used ("email", "owner", "failed", or "" when nobody could be told).

    The portal's own `issue_portal_link` needs a member with PORTAL_LINKS and sends its own message; a
    round's invitation is sent by the daily task in the round's words. So this follows the portal's rules
    step for step: the portal's channel check, its audit entries (issued, then sent or failed), the token
    drawn only as the message goes (only its digest stored), and a mail server's failure recorded on the link.
    """
    from rightsloop.portal import links
    from rightsloop.portal.access import portal_language
    from rightsloop.portal.actions.links import email_permitted
    from rightsloop.portal.models import LinkChannel

    if email_permitted(stakeholder):
        link, _none = links.mint(stakeholder=stakeholder, channel=LinkChannel.EMAIL)
        audit.record(organisation=stakeholder.organisation, by=None, action="portal.link_issued",
                     target=stakeholder, summary=f"link #{link.pk} for #{stakeholder.pk}, email, "
                                                 f"rating round {round.pk}")
        token, link.token_digest = links.new_token()
        language = portal_language(stakeholder)
        with translation.override(language):
            subject = (_("How is our relationship going? %(round)s") if notice.kind == RatingNotice.Kind.INVITATION
                       else _("Reminder: tell us how our relationship is going")) % {"round": round.title}
            body = render_to_string("relationships/ratings/email/ask.txt", {
                "round": round, "url": links.absolute_url(token),
                "reminder": notice.kind == RatingNotice.Kind.REMINDER})
        message = EmailMessage(subject=subject, body=body, to=[stakeholder.email],
                               headers={"Auto-Submitted": "auto-generated", "Content-Language": language})
        try:
            message.send(fail_silently=False)
        except Exception as error:  # recorded, never raised: one bad address must not stop the others
            link.token_digest, link.failure = None, type(error).__name__[:200]
            link.save(update_fields=["token_digest", "failure"])
            audit.record(organisation=stakeholder.organisation, by=None, action="portal.link_failed",
                         target=stakeholder, summary=f"link #{link.pk}: {type(error).__name__}")
            return "failed"
        link.sent_at = timezone.now()
        link.save(update_fields=["token_digest", "sent_at"])
        audit.record(organisation=stakeholder.organisation, by=None, action="portal.link_sent", target=stakeholder,
                     summary=f"link #{link.pk} by email, language {language}, rating round {round.pk}")
        return "email"
    owners = [owner for owner in rating_queries.owners_of(stakeholder) if owner.email]
    if not owners:
        return ""
    with translation.override(stakeholder.organisation.default_language):
        subject = _("Please hand over a portal link for a rating round")
        body = render_to_string("relationships/ratings/email/hand_over.txt", {
            "round": round, "shown": _shown_in_mail(stakeholder), "reminder": notice.kind == RatingNotice.Kind.REMINDER,
            "url": _base() + reverse("portal:staff:links", args=[stakeholder.pk])})
    EmailMessage(subject=subject, body=body, to=[owner.email for owner in owners],
                 headers={"Auto-Submitted": "auto-generated"}).send(fail_silently=False)
    return "owner"


def notices_due(today: datetime.date) -> QuerySet[RatingInvitation]:
    """Invitations of open rounds still owed a message: the invitation once the round opens, and one reminder
    in the last days before it closes to those who have not answered."""
    return (RatingInvitation.objects.filter(round__in=RatingRound.objects.open_on(today),
                                            stakeholder__erased_at=None)
            .select_related("round__organisation", "stakeholder__organisation").order_by("round_id", "id"))


def send_round_notices(*, today: datetime.date) -> int:
    """Send every message due today, each claimed (a unique row) before it goes, so running twice sends
    nothing twice; returns how many went out."""
    sent = 0
    for invitation in notices_due(today).iterator(chunk_size=500):
        kinds = [RatingNotice.Kind.INVITATION]
        if not invitation.answered and (invitation.round.closes_on - today).days <= REMIND_DAYS_BEFORE_CLOSE:
            kinds.append(RatingNotice.Kind.REMINDER)
        for kind in kinds:
            with transaction.atomic():
                notice, claimed = RatingNotice.objects.get_or_create(invitation=invitation, kind=kind)
                if not claimed:
                    continue
                channel = _send_link(notice, invitation.stakeholder, invitation.round)
                notice.channel, notice.sent_at = channel, timezone.now()
                notice.save(update_fields=["channel", "sent_at"])
                audit.record(organisation=invitation.organisation, by=None, action=f"rating_round.{kind}_sent",
                             target=invitation.round,
                             summary=f"stakeholder {invitation.stakeholder_id} via {channel or 'nobody'}")
            sent += 1
    return sent


def tell_owner(*, flag_id: int) -> bool:
    """Email the relationship's owner about a flag, once: the flag is claimed before the email goes."""
    with transaction.atomic():
        claimed = RatingFlag.objects.filter(pk=flag_id, notified_at=None).update(notified_at=timezone.now())
        if not claimed:
            return False
        flag = RatingFlag.objects.select_related("stakeholder__organisation", "rating__round").get(pk=flag_id)
        owners = [owner for owner in rating_queries.owners_of(flag.stakeholder) if owner.email]
        if not owners:
            return False
        stakeholder = flag.stakeholder
        with translation.override(stakeholder.organisation.default_language):
            body = render_to_string("relationships/ratings/email/flag.txt", {
                "flag": flag, "shown": _shown_in_mail(stakeholder),
                "dimensions": [str(Rating._meta.get_field(name).verbose_name) for name in flag.dimensions],
                "url": _base() + reverse("relationships:stakeholder-ratings", args=[stakeholder.pk])})
            subject = _("A relationship you own needs attention")
        EmailMessage(subject=subject, body=body, to=[owner.email for owner in owners],
                     headers={"Auto-Submitted": "auto-generated"}).send(fail_silently=False)
        audit.record(organisation=stakeholder.organisation, by=None, action="rating.flag_sent", target=flag,
                     summary=f"{len(owners)} owner(s) told")
    return True


# Subject data (X5) ------------------------------------------------------------------------------------

def export_ratings(stakeholder: Stakeholder) -> list[dict]:
    return [{
        "round": rating.round.title, "opens_on": rating.round.opens_on.isoformat(),
        "closes_on": rating.round.closes_on.isoformat(), **rating.scores(), "comment": rating.comment,
        "language": rating.language, "answered_at": rating.answered_at.isoformat(),
        "given_offline": rating.recorded_by_id is not None,
    } for rating in rating_queries.ratings_of(stakeholder)]


def erase_ratings(stakeholder: Stakeholder) -> int:
    """Clear the person's comments and flags; the scores stay as anonymous facts in the aggregates (the
    person's row is anonymous after erasure), so past trends do not shift."""
    cleared = Rating.objects.filter(stakeholder=stakeholder).update(comment_sealed=b"", language="")
    RatingFlag.objects.filter(stakeholder=stakeholder).delete()
    RatingNotice.objects.filter(invitation__stakeholder=stakeholder).delete()
    return cleared
