"""Every change to affected groups: the groups themselves, who belongs, the risks that touch them, and the
credible proxies that speak for them (Representation). A proxy must always speak for at least one group."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from .models import AffectedGroup, GroupMembership, Representation, Stakeholder
from .vocabulary import Kind

GROUP_FIELDS = ("name", "description", "countries", "languages", "at_risk", "size_estimate")


@dataclass
class GroupPlan:
    """What describes an affected group, as a form or the API hands it to an action."""

    name: str
    description: str = ""
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    at_risk: list[str] = field(default_factory=list)
    size_estimate: int | None = None

    @classmethod
    def of(cls, group: AffectedGroup) -> GroupPlan:
        return cls(**{name: getattr(group, name) for name in GROUP_FIELDS})


@dataclass
class Mandate:
    """Why a proxy speaks for a group: the basis the group recognises, the evidence, when it was checked."""

    legitimacy_basis: str
    evidence: str = ""
    reviewed_on: datetime.date | None = None


@dataclass
class Speaks:
    """A group a proxy speaks for as it is registered: an existing group, or the name of a new one."""

    group: AffectedGroup | str
    mandate: Mandate


def _normalised(plan: GroupPlan) -> dict:
    values = {name: getattr(plan, name) for name in GROUP_FIELDS}
    values["name"] = " ".join((plan.name or "").split())
    values["description"] = (plan.description or "").strip()
    values["countries"] = sorted({c.strip().upper() for c in plan.countries if c.strip()})
    values["languages"] = sorted({c.strip().lower() for c in plan.languages if c.strip()})
    values["at_risk"] = sorted({c.strip() for c in plan.at_risk if c.strip()})
    return values


def _check_name_free(organisation, name: str, *, other_than: AffectedGroup | None = None) -> None:
    clash = AffectedGroup.objects.for_organisation(organisation).filter(name__iexact=name)
    if other_than is not None:
        clash = clash.exclude(pk=other_than.pk)
    if clash.exists():
        raise ValidationError({"name": _("Another group already has this name.")})


def _save_group(group: AffectedGroup) -> None:
    group.full_clean(exclude=["organisation", "created_by", "risks", "members"])
    _check_name_free(group.organisation, group.name, other_than=group if group.pk else None)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        # Two people naming a group the same at the same moment: the constraint decides, the form explains.
        raise ValidationError({"name": _("Another group already has this name.")}) from None


@transaction.atomic
def create_group(*, plan: GroupPlan, by: Viewer) -> AffectedGroup:
    """Describe an affected group; the record names the group, never a person in it."""
    group = AffectedGroup(organisation=by.organisation, created_by=by.user, **_normalised(plan))
    _save_group(group)
    audit.record(organisation=by.organisation, by=by, action="group.created", target=group,
                 summary=f"group #{group.pk}", changed_fields=[n for n in GROUP_FIELDS if getattr(group, n)])
    return group


@transaction.atomic
def update_group(*, group: AffectedGroup, plan: GroupPlan, by: Viewer) -> AffectedGroup:
    group = AffectedGroup.objects.select_for_update().get(pk=group.pk)
    before = audit.snapshot(group, GROUP_FIELDS)
    for name, value in _normalised(plan).items():
        setattr(group, name, value)
    _save_group(group)
    changed = audit.changed(group, before, GROUP_FIELDS)
    if changed:
        audit.record(organisation=group.organisation, by=by, action="group.updated", target=group,
                     summary=f"group #{group.pk}", changed_fields=changed)
    return group


def _proxies_left_without_a_group(representations) -> list[int]:
    """Proxies among these mandates that would speak for no group once the mandates end."""
    ending = list(representations.current().values_list("pk", "proxy_id"))
    ids = {proxy_id for _pk, proxy_id in ending}
    still = set(Representation.objects.current().filter(proxy_id__in=ids, proxy__kind=Kind.PROXY)
                .exclude(pk__in=[pk for pk, _proxy in ending]).values_list("proxy_id", flat=True))
    return sorted(pk for pk in ids - still
                  if Stakeholder.objects.filter(pk=pk, kind=Kind.PROXY, erased_at__isnull=True).exists())


@transaction.atomic
def delete_group(*, group: AffectedGroup, by: Viewer) -> None:
    """Delete a group no proxy depends on; memberships, mandates and risk links go with it."""
    group = AffectedGroup.objects.select_for_update().get(pk=group.pk)
    if _proxies_left_without_a_group(group.representations.all()):
        raise ValidationError(_(
            "A proxy speaks only for this group. Record another group it represents, or change its kind, "
            "before deleting this one."))
    pk = group.pk
    audit.record(organisation=group.organisation, by=by, action="group.deleted", target=group,
                 summary=f"group #{pk}", changed_fields=["members", "representations", "risks"])
    try:
        with transaction.atomic():
            group.delete()
    except (ProtectedError, RestrictedError):
        # Words were relayed for this group (engagements.Input.group): they must stay explained.
        raise ValidationError(_(
            "Inputs were recorded for this group; it cannot be deleted. Change its description instead.")) from None


def _same_organisation(group: AffectedGroup, stakeholder: Stakeholder, field_name: str) -> None:
    if stakeholder.organisation_id != group.organisation_id:
        raise ValidationError({field_name: _("Choose a stakeholder of this organisation.")})


@transaction.atomic
def add_member(*, group: AffectedGroup, stakeholder: Stakeholder, by: Viewer) -> GroupMembership:
    """Record that a person belongs to the group; idempotent. The audit entry gives ids, never a name."""
    _same_organisation(group, stakeholder, "stakeholder")
    if stakeholder.is_erased:
        raise ValidationError({"stakeholder": _("This stakeholder was erased.")})
    membership, created = GroupMembership.objects.get_or_create(group=group, stakeholder=stakeholder,
                                                                defaults={"added_by": by.user})
    if created:
        audit.record(organisation=group.organisation, by=by, action="group.member_added", target=stakeholder,
                     summary=f"#{stakeholder.pk} in group #{group.pk}", changed_fields=["groups"])
    return membership


@transaction.atomic
def remove_member(*, group: AffectedGroup, stakeholder: Stakeholder, by: Viewer) -> bool:
    deleted, _rows = GroupMembership.objects.filter(group=group, stakeholder=stakeholder).delete()
    if deleted:
        audit.record(organisation=group.organisation, by=by, action="group.member_removed", target=stakeholder,
                     summary=f"#{stakeholder.pk} out of group #{group.pk}", changed_fields=["groups"])
    return bool(deleted)


def _change_risks(group: AffectedGroup, risks: Sequence, *, linked: bool, by: Viewer) -> list[int]:
    if any(risk.organisation_id != group.organisation_id for risk in risks):
        raise ValidationError({"risk_ids": _("Choose salient risks of this organisation.")})
    existing = set(group.risks.values_list("pk", flat=True))
    changing = [risk for risk in risks if (risk.pk in existing) != linked]
    if changing:
        (group.risks.add if linked else group.risks.remove)(*changing)
        audit.record(organisation=group.organisation, by=by,
                     action="group.risks_linked" if linked else "group.risks_unlinked", target=group,
                     summary=f"group #{group.pk}: risks {', '.join(f'#{r.pk}' for r in changing)}"[:300],
                     changed_fields=["risks"])
    return [risk.pk for risk in changing]


@transaction.atomic
def link_risks(*, group: AffectedGroup, risks: Sequence, by: Viewer) -> list[int]:
    """Say which salient risks touch the group; returns the ids newly linked."""
    return _change_risks(group, risks, linked=True, by=by)


@transaction.atomic
def unlink_risks(*, group: AffectedGroup, risks: Sequence, by: Viewer) -> list[int]:
    """Returns the ids that were linked and no longer are."""
    return _change_risks(group, risks, linked=False, by=by)


def _apply_mandate(representation: Representation, mandate: Mandate) -> None:
    representation.legitimacy_basis = (mandate.legitimacy_basis or "").strip()
    representation.evidence = (mandate.evidence or "").strip()
    representation.reviewed_on = mandate.reviewed_on
    if mandate.reviewed_on and mandate.reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("A review date cannot be in the future.")})
    representation.full_clean(exclude=["proxy", "group", "created_by"])


def _record(representation: Representation, *, by: Viewer, action: str, changed: list[str]) -> None:
    audit.record(organisation=representation.group.organisation, by=by, action=action,
                 target=representation.proxy,
                 summary=f"#{representation.proxy_id} for group #{representation.group_id}",
                 changed_fields=changed)


@transaction.atomic
def represent(*, proxy: Stakeholder, group: AffectedGroup, mandate: Mandate, by: Viewer) -> Representation:
    """Record that a credible proxy speaks for a group (or speaks for it again after an end)."""
    if proxy.kind != Kind.PROXY:
        raise ValidationError({"proxy": _("Only a credible proxy can represent a group.")})
    _same_organisation(group, proxy, "proxy")
    if proxy.is_erased:
        raise ValidationError({"proxy": _("This stakeholder was erased.")})
    representation = (Representation.objects.select_for_update().filter(proxy=proxy, group=group).first()
                      or Representation(proxy=proxy, group=group, created_by=by.user))
    if representation.pk and representation.is_current:
        raise ValidationError({"group": _("This proxy already represents this group.")})
    _apply_mandate(representation, mandate)
    representation.ended_at = None
    representation.save()
    _record(representation, by=by, action="group.representation_added",
            changed=["legitimacy_basis", "evidence", "reviewed_on"])
    return representation


@transaction.atomic
def update_representation(*, representation: Representation, mandate: Mandate, by: Viewer) -> Representation:
    representation = Representation.objects.select_for_update().select_related("group__organisation", "proxy").get(
        pk=representation.pk)
    fields = ["legitimacy_basis", "evidence", "reviewed_on"]
    before = audit.snapshot(representation, fields)
    _apply_mandate(representation, mandate)
    changed = audit.changed(representation, before, fields)
    if changed:
        representation.save(update_fields=[*changed, "updated_at"])
        _record(representation, by=by, action="group.representation_updated", changed=changed)
    return representation


@transaction.atomic
def end_representation(*, representation: Representation, by: Viewer) -> Representation:
    """The proxy no longer speaks for the group; refused when it would then speak for none."""
    representation = Representation.objects.select_for_update().select_related("group__organisation", "proxy").get(
        pk=representation.pk)
    if not representation.is_current:
        return representation
    if _proxies_left_without_a_group(Representation.objects.filter(pk=representation.pk)):
        raise ValidationError(_(
            "This is the only group this proxy speaks for. Record another group first, or change its kind."))
    representation.ended_at = timezone.now()
    representation.save(update_fields=["ended_at", "updated_at"])
    _record(representation, by=by, action="group.representation_ended", changed=["ended_at"])
    return representation


def speak_for(*, proxy: Stakeholder, groups: Sequence[Speaks], by: Viewer) -> list[Representation]:
    """The mandates a proxy is registered (or turned into a proxy) with; new groups are created by name."""
    made = []
    for speaks in groups:
        group = speaks.group
        if isinstance(group, str):
            group = create_group(plan=GroupPlan(name=group), by=by)
        made.append(represent(proxy=proxy, group=group, mandate=speaks.mandate, by=by))
    return made


def require_a_group(proxy: Stakeholder) -> None:
    """A credible proxy is credible for someone: it must speak for at least one affected group."""
    if proxy.kind == Kind.PROXY and not proxy.representations.current().exists():
        raise ValidationError({"group": _(
            "Say which affected group this proxy represents, and why the group recognises it.")})


@transaction.atomic
def end_all_representations(*, stakeholder: Stakeholder, by: Viewer) -> int:
    """A stakeholder who is no longer a proxy speaks for no group."""
    ended = 0
    for representation in stakeholder.representations.current().select_related("group__organisation", "proxy"):
        representation.ended_at = timezone.now()
        representation.save(update_fields=["ended_at", "updated_at"])
        _record(representation, by=by, action="group.representation_ended", changed=["ended_at"])
        ended += 1
    return ended
