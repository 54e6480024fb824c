"""The agreement panel on a stakeholder's page, drawn here so the stakeholders app need not know agreements."""

from django import template

from rightsloop.accounts.roles import Capability

from .. import queries

register = template.Library()


@register.inclusion_tag("relationships/agreements/panel.html", takes_context=True)
def agreement_panel(context, stakeholder):
    request = context.get("request")
    viewer = getattr(request, "viewer", None)
    if viewer is None or not viewer.can(Capability.RELATIONSHIPS_VIEW):
        return {"shown": False}
    relationship = queries.relationship_of(stakeholder)
    owners = queries.owner_of(stakeholder)
    return {
        "shown": True,
        "stakeholder": stakeholder,
        "agreement": queries.latest_agreement_of(stakeholder),
        "owners": owners,
        # A named owner who has since left is no owner: the panel then says the lead stands in.
        "owner_named": relationship is not None and any(user.pk == relationship.owner_id for user in owners),
        "can_edit": viewer.can(Capability.RELATIONSHIPS_EDIT),
    }
