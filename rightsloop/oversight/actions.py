"""Every change the oversight app makes: the board's briefings, the board figures' refresh, board packs."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core.periods import Period
from rightsloop.stakeholders.models import Stakeholder

from .models import BoardBriefing, BoardPack, BriefingKind

# A briefing is recorded after it was held, within a few years of the record being started.
BRIEFING_BACKDATE_DAYS = 3 * 366
# One pack at a time per period and language: a second request while one renders gets the one rendering.


def _check_briefing(*, organisation, held_on: datetime.date, kind: str, topic: str, attendees, stakeholders) -> None:
    errors = {}
    today = timezone.localdate()
    if held_on > today:
        errors["held_on"] = _("Record a briefing once it was held: the date is in the future.")
    elif held_on < today - datetime.timedelta(days=BRIEFING_BACKDATE_DAYS):
        errors["held_on"] = _("That is more than three years ago.")
    if kind not in BriefingKind.values:
        errors["kind"] = _("Choose the kind of session.")
    if not topic.strip():
        errors["topic"] = _("Give the topic.")
    board = set(Membership.objects.filter(organisation=organisation, role=Role.BOARD, is_active=True)
                .values_list("user_id", flat=True))
    if any(user.pk not in board for user in attendees):
        errors["attendees"] = _("Only the organisation's board members can be recorded as attending.")
    if any(person.organisation_id != organisation.pk for person in stakeholders):
        errors["stakeholders"] = _("Unknown stakeholder.")
    if kind == BriefingKind.STAKEHOLDER_SESSION and not stakeholders:
        errors["stakeholders"] = _("Say which stakeholders spoke to the board.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_briefing(*, held_on: datetime.date, kind: str, topic: str, attendees: list[User],
                    stakeholders: list[Stakeholder] = (), given_by: str = "", material: str = "", notes: str = "",
                    by: Viewer) -> BoardBriefing:
    if not by.can(Capability.BOARD_BRIEFINGS_RECORD):
        raise PermissionDenied(_("Your role does not record the board's briefings."))
    organisation = by.organisation
    _check_briefing(organisation=organisation, held_on=held_on, kind=kind, topic=topic, attendees=attendees,
                    stakeholders=stakeholders)
    briefing = BoardBriefing.objects.create(organisation=organisation, held_on=held_on, kind=kind,
                                            topic=topic.strip(), given_by=given_by.strip(),
                                            material=material.strip(), notes=notes.strip(), recorded_by=by.user)
    briefing.attendees.set(attendees)
    briefing.stakeholders.set(stakeholders)
    audit.record(organisation=organisation, by=by, action="board_briefing.recorded", target=briefing,
                 summary=f"{kind} on {held_on.isoformat()}, {len(attendees)} attended, {len(stakeholders)} spoke")
    return briefing


@transaction.atomic
def update_briefing(*, briefing: BoardBriefing, held_on: datetime.date, kind: str, topic: str,
                    attendees: list[User], stakeholders: list[Stakeholder] = (), given_by: str = "",
                    material: str = "", notes: str = "", by: Viewer) -> BoardBriefing:
    if not by.can(Capability.BOARD_BRIEFINGS_RECORD) or briefing.organisation_id != by.organisation.pk:
        raise PermissionDenied(_("Your role does not record the board's briefings."))
    _check_briefing(organisation=briefing.organisation, held_on=held_on, kind=kind, topic=topic,
                    attendees=attendees, stakeholders=stakeholders)
    before = audit.snapshot(briefing, ("held_on", "kind", "topic", "given_by", "material", "notes"))
    briefing.held_on, briefing.kind, briefing.topic = held_on, kind, topic.strip()
    briefing.given_by, briefing.material, briefing.notes = given_by.strip(), material.strip(), notes.strip()
    briefing.save()
    before_people = (set(briefing.attendees.values_list("pk", flat=True)),
                     set(briefing.stakeholders.values_list("pk", flat=True)))
    briefing.attendees.set(attendees)
    briefing.stakeholders.set(stakeholders)
    changed = audit.changed(briefing, before, ("held_on", "kind", "topic", "given_by", "material", "notes"))
    if before_people[0] != {user.pk for user in attendees}:
        changed.append("attendees")
    if before_people[1] != {person.pk for person in stakeholders}:
        changed.append("stakeholders")
    audit.record(organisation=briefing.organisation, by=by, action="board_briefing.changed", target=briefing,
                 changed_fields=changed)
    return briefing


@transaction.atomic
def request_board_pack(*, period: Period, by: Viewer) -> BoardPack:
    """Queue the board pack of a period in the viewer's language; one already on its way is returned instead."""
    if not by.can(Capability.OVERSIGHT_VIEW):
        raise PermissionDenied(_("Your role does not give access to the board view."))
    today = timezone.localdate()
    if not period.has_started(today):
        raise ValidationError({"period": _("%(period)s has not started yet.") % {"period": period.label}})
    language = get_language() or ""
    waiting = (BoardPack.objects.for_organisation(by.organisation).unfinished()
               .filter(period=period.key, language=language).first())
    if waiting is not None:
        return waiting
    pack = BoardPack.objects.create(organisation=by.organisation, period=period.key, language=language,
                                    requested_by=by.user)
    audit.record(organisation=by.organisation, by=by, action="board_pack.requested", target=pack,
                 summary=f"period {period.key}, language {language}")
    from .tasks import render_board_pack

    transaction.on_commit(lambda: render_board_pack.enqueue(pack.pk))
    return pack
