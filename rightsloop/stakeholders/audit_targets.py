"""How the audit log names stakeholders and affected groups (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rightsloop.core.registry import AuditTarget

from . import queries
from .models import DuplicateFlag
from .pseudonyms import pseudonym
from .vocabulary import SafetyLevel

# At elevated or high safety, the log names a person by pseudonym only, grant or no grant: revealing a name is
# its own audited act, on the stakeholder's page.
PROTECTED_LEVELS = (SafetyLevel.ELEVATED, SafetyLevel.HIGH)


def audit_name(stakeholder) -> str:
    if stakeholder.is_erased or stakeholder.safety_level in PROTECTED_LEVELS:
        return pseudonym(stakeholder.pk)
    return stakeholder.name


TARGETS = (
    AuditTarget(
        label="stakeholders.stakeholder", title=_("Stakeholder"), noun=_("a stakeholder"),
        visible=queries.visible_stakeholders, name=audit_name,
        url=lambda stakeholder: reverse("stakeholders:detail", args=[stakeholder.pk]),
    ),
    AuditTarget(
        label="stakeholders.affectedgroup", title=_("Affected group"), noun=_("an affected group"),
        visible=queries.visible_groups, name=lambda group: f"“{group.name}”",
        url=lambda group: reverse("stakeholders:group-detail", args=[group.pk]),
        search=lambda viewer, text: queries.visible_groups(viewer).filter(name__icontains=text),
    ),
    AuditTarget(
        label="stakeholders.duplicateflag", title=_("Possible duplicate"), noun=_("a stakeholder"),
        visible=lambda viewer: DuplicateFlag.objects.filter(
            stakeholder__in=queries.visible_stakeholders(viewer), other__in=queries.visible_stakeholders(viewer),
        ).select_related("stakeholder"),
        name=lambda flag: audit_name(flag.stakeholder),
        url=lambda flag: reverse("stakeholders:detail", args=[flag.stakeholder_id]),
    ),
)
