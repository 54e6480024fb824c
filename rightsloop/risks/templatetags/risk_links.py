"""Template helpers for pages that list inputs linked to risks, mitigations and decisions."""

from django import template

from rightsloop.engagements.queries import speaker_label, visible_inputs
from rightsloop.risks import indicators
from rightsloop.risks.actions import may_change_mitigation as mitigation_rule

register = template.Library()


@register.simple_tag(takes_context=True)
def speaker_of(context, item) -> str:
    """Who said an input, as the signed-in viewer may see it: the same label the engagement's input list shows."""
    viewer = context.get("viewer")
    if item is None or viewer is None:
        return ""
    return speaker_label(item, viewer)


@register.simple_tag(takes_context=True)
def visible_evidence_inputs(context, mitigations) -> frozenset[int]:
    """Ids of the inputs behind the mitigations' evidence that the viewer may see: one query for the list."""
    viewer = context.get("viewer")
    wanted = {evidence.input_id for mitigation in mitigations for indicator in mitigation.indicators.all()
              for evidence in indicator.evidence.all() if evidence.input_id}
    if not wanted or viewer is None:
        return frozenset()
    return frozenset(visible_inputs(viewer).filter(pk__in=wanted).values_list("pk", flat=True))


@register.filter
def may_change_mitigation(viewer, mitigation) -> bool:
    return viewer is not None and mitigation_rule(viewer, mitigation)


@register.simple_tag
def indicator_chart(indicator):
    """The indicator's numbers over time as a small line chart, or None (risks.indicators)."""
    return indicators.chart(indicator)
