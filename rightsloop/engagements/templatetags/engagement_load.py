"""{% stakeholder_load stakeholder %}: the engagement load part of a stakeholder's page (S3)."""

from django import template

from rightsloop.accounts.roles import Capability
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.queries import hidden_from, shown_name, visible_stakeholders

register = template.Library()


@register.inclusion_tag("engagements/load/panel.html", takes_context=True)
def stakeholder_load(context, stakeholder: Stakeholder) -> dict:
    viewer = getattr(context.get("request"), "viewer", None)
    if viewer is None or not viewer.can(Capability.ENGAGEMENTS_VIEW) or stakeholder.is_erased:
        return {"hidden": True}
    from rightsloop.engagements.load_views import load_context

    found = load_context(viewer, stakeholder)
    affiliation = (visible_stakeholders(viewer).filter(pk=stakeholder.affiliation_id).first()
                   if stakeholder.affiliation_id else None)
    people = (stakeholder.affiliated_people.exclude(pk__in=hidden_from(viewer)).count()
              if stakeholder.entity_type == "organisation" else 0)
    return {**found, "affiliation": affiliation, "people": people,
            "affiliation_name": shown_name(affiliation, viewer) if affiliation else ""}
