"""How the audit log names consensus records (core.audit_log): claims and exercises, by their matter and question."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget

from . import queries

TARGETS = (
    AuditTarget(
        label="consensus.exercise", title=gettext_lazy("Consensus exercise"), noun=gettext_lazy("a consensus exercise"),
        visible=queries.visible_exercises,
        name=lambda exercise: exercise.question,
        url=lambda exercise: reverse("consensus:exercise", args=[exercise.pk]),
    ),
    AuditTarget(
        label="consensus.claim", title=gettext_lazy("Competing claim"), noun=gettext_lazy("a competing claim"),
        visible=queries.visible_claims,
        name=lambda claim: claim.side,
        url=lambda claim: reverse("consensus:claims", args=[claim.engagement_id]),
    ),
)
