"""What a stakeholder changes about themselves in the portal, and staff's answer to an erasure request."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.stakeholders.actions import erase_stakeholder, withdraw_consent
from rightsloop.stakeholders.models import ConsentRecord, Stakeholder
from rightsloop.stakeholders.profiles import StakeholderProfile
from rightsloop.stakeholders.queries import visible_stakeholders

from ..models import ErasureRequest, ErasureState, PortalLink

# What a stakeholder may change themselves: how to reach them and in which language. Their name, kind,
# safety level and notes stay with staff (a safety level lowered by mistake could expose them).
CONTACT_FIELDS = ("email", "phone", "messenger_handle", "postal_address", "preferred_language")


@dataclass(frozen=True)
class ContactDetails:
    email: str = ""
    phone: str = ""
    messenger_handle: str = ""
    postal_address: str = ""
    preferred_language: str = ""


@transaction.atomic
def update_own_details(*, stakeholder: Stakeholder, details: ContactDetails) -> list[str]:
    """Change the stakeholder's contact details as they asked in the portal; returns the fields changed.

    Checked with the register's own rules (StakeholderProfile.validate, the model's clean). The stakeholders
    app's update_stakeholder needs a staff member; here the person acts on their own record, so the audit
    entry has no member, names the fields and never their values.
    """
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    if stakeholder.is_erased:
        raise ValidationError(_("This record was erased; nothing about it can be changed."))
    values = {name: " ".join(str(getattr(details, name)).split()) if name != "postal_address"
              else str(getattr(details, name)).strip() for name in CONTACT_FIELDS}
    profile = StakeholderProfile.of(stakeholder)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.validate()
    before = audit.snapshot(stakeholder, CONTACT_FIELDS)
    for name, value in values.items():
        setattr(stakeholder, name, value)
    stakeholder.normalise()
    stakeholder.full_clean(exclude=["organisation", "created_by"])
    changed = audit.changed(stakeholder, before, CONTACT_FIELDS)
    if changed:
        stakeholder.save()
        audit.record(organisation=stakeholder.organisation, by=None, action="stakeholder.updated",
                     target=stakeholder, summary=f"#{stakeholder.pk} changed their details in the portal",
                     changed_fields=changed)
    return changed


@transaction.atomic
def withdraw_own_consent(*, stakeholder: Stakeholder, consent: ConsentRecord) -> ConsentRecord:
    """Withdraw one of the stakeholder's own consents through the register's consent action."""
    if consent.stakeholder_id != stakeholder.pk:
        raise PermissionDenied
    return withdraw_consent(consent=consent, by=None)


@transaction.atomic
def request_erasure(*, stakeholder: Stakeholder) -> ErasureRequest:
    """Record that the stakeholder asked to be erased; staff confirm it. Asking again changes nothing."""
    existing = ErasureRequest.objects.pending().filter(stakeholder=stakeholder).first()
    if existing is not None:
        return existing
    if stakeholder.is_erased:
        raise ValidationError(_("This record was already erased."))
    try:
        with transaction.atomic():
            request = ErasureRequest.objects.create(organisation=stakeholder.organisation, stakeholder=stakeholder)
    except IntegrityError:  # a second tab asked at the same moment
        return ErasureRequest.objects.pending().get(stakeholder=stakeholder)
    audit.record(organisation=stakeholder.organisation, by=None, action="portal.erasure_requested",
                 target=stakeholder, summary=f"erasure request #{request.pk} for #{stakeholder.pk}")
    return request


def _check_may_decide(viewer: Viewer, request: ErasureRequest) -> ErasureRequest:
    if not viewer.can(Capability.STAKEHOLDERS_EDIT):
        raise PermissionDenied(_("Your role does not let you answer erasure requests."))
    if not visible_stakeholders(viewer).filter(pk=request.stakeholder_id).exists():
        raise PermissionDenied(_("You cannot answer this request."))
    request = ErasureRequest.objects.select_for_update().select_related("stakeholder").get(pk=request.pk)
    if request.state != ErasureState.PENDING:
        raise ValidationError(_("This request was already answered."))
    return request


@transaction.atomic
def confirm_erasure_request(*, viewer: Viewer, request: ErasureRequest) -> ErasureRequest:
    """Erase the person as they asked, through the register's erasure action, and close the request."""
    request = _check_may_decide(viewer, request)
    erase_stakeholder(stakeholder=request.stakeholder, reason=f"asked for in the portal (request #{request.pk})",
                      by=viewer)
    now = timezone.now()
    PortalLink.objects.filter(stakeholder=request.stakeholder, revoked_at=None).update(revoked_at=now)
    request.state, request.decided_by, request.decided_at = ErasureState.CONFIRMED, viewer.user, now
    request.save(update_fields=["state", "decided_by", "decided_at"])
    audit.record(organisation=request.organisation, by=viewer, action="portal.erasure_confirmed",
                 target=request.stakeholder, summary=f"erasure request #{request.pk}")
    return request


@transaction.atomic
def decline_erasure_request(*, viewer: Viewer, request: ErasureRequest, reason: str) -> ErasureRequest:
    """Decline with a reason the stakeholder reads in their portal (a legal duty to keep records, say)."""
    request = _check_may_decide(viewer, request)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why, in words the person can read: they will see it.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("At most %(limit)s characters.") % {"limit": 500}})
    request.state, request.decided_by, request.decided_at = ErasureState.DECLINED, viewer.user, timezone.now()
    request.reason = reason
    request.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    # The reason is staff's words to the person, not protected data, but the log keeps only that it was given.
    audit.record(organisation=request.organisation, by=viewer, action="portal.erasure_declined",
                 target=request.stakeholder, summary=f"erasure request #{request.pk}")
    return request
