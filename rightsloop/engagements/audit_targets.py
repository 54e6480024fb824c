"""How the audit log names engagements, inputs, participations and feedback reports (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget
from rightsloop.stakeholders.audit_targets import audit_name
from rightsloop.stakeholders.queries import hidden_from

from . import queries
from .models import BriefingMaterial, FeedbackReport, Participation


def _engagement_page(engagement) -> str:
    return reverse("engagements:detail", args=[engagement.pk])


def _participations(viewer):
    """Participations in engagements the viewer may see, of people who exist for them."""
    return (Participation.objects.filter(engagement__in=queries.visible_engagements(viewer))
            .exclude(stakeholder__in=hidden_from(viewer)).select_related("engagement", "stakeholder"))


def _participation_name(participation) -> str:
    return _("%(person)s in “%(engagement)s”") % {
        "person": audit_name(participation.stakeholder), "engagement": participation.engagement.title}


TARGETS = (
    AuditTarget(
        label="engagements.engagement", title=gettext_lazy("Engagement"), noun=gettext_lazy("an engagement"),
        visible=queries.visible_engagements, name=lambda engagement: f"“{engagement.title}”", url=_engagement_page,
        search=lambda viewer, text: queries.visible_engagements(viewer).filter(title__icontains=text),
    ),
    AuditTarget(
        label="engagements.input", title=gettext_lazy("Input"), noun=gettext_lazy("an input"),
        visible=lambda viewer: queries.visible_inputs(viewer).select_related("engagement"),
        # What was said stays out of the log: the input is named by where it was heard.
        name=lambda item: _("an input in “%(engagement)s”") % {"engagement": item.engagement.title},
        url=lambda item: reverse("engagements:inputs", args=[item.engagement_id]),
        search=lambda viewer, text: queries.visible_inputs(viewer).filter(engagement__title__icontains=text),
    ),
    AuditTarget(
        label="engagements.participation", title=gettext_lazy("Participation"), noun=gettext_lazy("a participant"),
        visible=_participations, name=_participation_name,
        url=lambda participation: _engagement_page(participation.engagement),
        search=lambda viewer, text: _participations(viewer).filter(engagement__title__icontains=text),
    ),
    AuditTarget(
        label="engagements.feedbackreport", title=gettext_lazy("Feedback report"),
        noun=gettext_lazy("a participant"),
        visible=lambda viewer: FeedbackReport.objects.filter(participation__in=_participations(viewer))
        .select_related("participation__engagement", "participation__stakeholder"),
        name=lambda report: _participation_name(report.participation),
        url=lambda report: reverse("engagements:feedback-participant",
                                   args=[report.engagement_id, report.participation_id]),
    ),
    AuditTarget(
        label="engagements.briefingmaterial", title=gettext_lazy("Briefing material"),
        noun=gettext_lazy("an engagement"),
        visible=lambda viewer: BriefingMaterial.objects.filter(
            engagement__in=queries.visible_engagements(viewer)).select_related("engagement"),
        name=lambda briefing: f"“{briefing.engagement.title}”",
        url=lambda briefing: _engagement_page(briefing.engagement),
    ),
)
