"""How the audit log names relationship agreements (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget
from rightsloop.stakeholders.audit_targets import audit_name

from . import queries, rating_queries

TARGETS = (
    AuditTarget(
        label="relationships.agreement", title=gettext_lazy("Relationship agreement"),
        noun=gettext_lazy("a relationship agreement"),
        visible=lambda viewer: queries.visible_agreements(viewer).select_related("stakeholder"),
        name=lambda agreement: _("the agreement with %(person)s") % {"person": audit_name(agreement.stakeholder)},
        url=lambda agreement: reverse("relationships:agreement-detail", args=[agreement.pk]),
    ),
    AuditTarget(
        label="relationships.ratinground", title=gettext_lazy("Rating round"), noun=gettext_lazy("a rating round"),
        visible=rating_queries.rounds, name=lambda rating_round: f"“{rating_round.title}”",
        url=lambda rating_round: reverse("relationships:rating-round", args=[rating_round.pk]),
    ),
    AuditTarget(
        # Whose rating it is stays behind the rule on individual ratings: the log names the round only.
        label="relationships.rating", title=gettext_lazy("Rating"), noun=gettext_lazy("a rating"),
        visible=lambda viewer: rating_queries.visible_ratings(viewer).select_related("round"),
        name=lambda rating: _("a rating in “%(round)s”") % {"round": rating.round.title},
    ),
)
