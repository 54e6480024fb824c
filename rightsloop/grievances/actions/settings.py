"""Changes to an organisation's grievance mechanism: the public page open or closed, its deadlines, its products,
and the engagements held on the mechanism itself.

A case's due dates are fixed when it is received (the promise made to the person): new deadlines apply to new
cases only, and nothing here moves the dates of cases already received.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core.models import Organisation
from rightsloop.engagements.models import Engagement

from ..models import GrievanceSettings

# The bounds the model's validators set, repeated here so the action names them in its messages.
ACKNOWLEDGE_DAYS = (1, 60)
RESPOND_DAYS = (1, 365)
ESCALATE_AFTER_DAYS = (1, 90)
MAX_PRODUCTS = 100
PRODUCT_MAX_LENGTH = 200


def clean_products(products: Iterable[str]) -> list[str]:
    """The products as the public page lists them: trimmed, without blanks or repeats (ignoring case), in order."""
    seen: set[str] = set()
    kept = []
    for product in products:
        name = " ".join(str(product).split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept


def _check(*, acknowledge_days: int, respond_days: int, escalate_after_days: int, products: list[str]) -> None:
    errors: dict[str, str] = {}
    for name, value, (low, high) in (("acknowledge_days", acknowledge_days, ACKNOWLEDGE_DAYS),
                                     ("respond_days", respond_days, RESPOND_DAYS),
                                     ("escalate_after_days", escalate_after_days, ESCALATE_AFTER_DAYS)):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = _("Give a number of days from %(low)s to %(high)s.") % {"low": low, "high": high}
    if "acknowledge_days" not in errors and "respond_days" not in errors and respond_days < acknowledge_days:
        errors["respond_days"] = _("The substantive response cannot be due before the acknowledgement.")
    if len(products) > MAX_PRODUCTS:
        errors["products"] = _("List at most %(n)s products and services.") % {"n": MAX_PRODUCTS}
    elif any(len(product) > PRODUCT_MAX_LENGTH for product in products):
        errors["products"] = _("Each product or service name has at most %(n)s characters.") % {
            "n": PRODUCT_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_settings(*, organisation: Organisation, intake_open: bool, acknowledge_days: int, respond_days: int,
                    escalate_after_days: int, products: Iterable[str], mechanism_engagements: Iterable[Engagement],
                    by: Viewer) -> GrievanceSettings:
    """Set the mechanism's settings; audited by the names of the fields that changed, never their content."""
    if not by.can(Capability.GRIEVANCES_CONFIGURE) or by.organisation.pk != organisation.pk:
        raise PermissionDenied(_("Your role cannot change the grievance mechanism's settings."))
    products = clean_products(products)
    engagements = list(mechanism_engagements)
    _check(acknowledge_days=acknowledge_days, respond_days=respond_days, escalate_after_days=escalate_after_days,
           products=products)
    if any(engagement.organisation_id != organisation.pk for engagement in engagements):
        raise ValidationError({"mechanism_engagements": _("Choose engagements of your own organisation.")})
    GrievanceSettings.of(organisation)
    found = GrievanceSettings.objects.select_for_update().get(organisation=organisation)
    wanted = {"intake_open": bool(intake_open), "acknowledge_days": acknowledge_days, "respond_days": respond_days,
              "escalate_after_days": escalate_after_days, "products": products}
    changed = [name for name, value in wanted.items() if getattr(found, name) != value]
    for name in changed:
        setattr(found, name, wanted[name])
    if changed:
        found.save(update_fields=[*changed, "updated_at"])
    engagement_ids = {engagement.pk for engagement in engagements}
    if set(found.mechanism_engagements.values_list("pk", flat=True)) != engagement_ids:
        found.mechanism_engagements.set(engagements)
        changed.append("mechanism_engagements")
    if changed:
        summary = ", ".join(f"{name} {wanted[name]}" for name in changed
                            if name in ("intake_open", "acknowledge_days", "respond_days", "escalate_after_days"))
        if "products" in changed:
            summary = ", ".join(filter(None, [summary, f"{len(products)} product(s)"]))
        if "mechanism_engagements" in changed:
            summary = ", ".join(filter(None, [summary, f"{len(engagement_ids)} engagement(s) on the mechanism"]))
        audit.record(organisation=organisation, by=by, action="grievance.settings_changed", target=found,
                     summary=summary, changed_fields=changed)
    return found
