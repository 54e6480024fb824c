"""Each layer of defence refuses on its own, with the layers in front of it bypassed.

Forms and views check most things before they reach a model or an action; these tests go around
them (straight to the database, straight to the action, straight into the audit table) so a layer
that relies on the one in front of it fails here. Each refusal also checks that nothing changed.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rightsloop.consultations.models import ThemeDecision
from rightsloop.consultations.tests.factories import consultation_world
from rightsloop.core import audit
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.vocabulary import Outcome
from rightsloop.risks import actions as risk_actions
from rightsloop.risks.models import Mitigation, Risk, RiskChange
from rightsloop.risks.tests.factories import make_mitigation, make_risk

from .test_audit_triggers import remove_append_only_triggers, sql

pytestmark = pytest.mark.django_db


# The database: a theme set aside without a rationale ---------------------------------------------

def test_the_database_refuses_a_theme_not_adopted_without_a_rationale(hr_lead):
    theme = consultation_world(hr_lead, "Layer")["theme"]
    before = list(ThemeDecision.objects.filter(theme=theme).values())

    with pytest.raises(IntegrityError), transaction.atomic():
        ThemeDecision.objects.create(theme=theme, revision=99, outcome=Outcome.NOT_ADOPTED, rationale="",
                                     decided_by=hr_lead.user, decided_at=timezone.now())

    assert list(ThemeDecision.objects.filter(theme=theme).values()) == before


# The action: an owner from another organisation ---------------------------------------------------

def plan_for(risk: Risk, **changes) -> risk_actions.RiskPlan:
    values = {name: getattr(risk, name) for name in (
        "title", "product", "involvement", "scale", "scope", "irremediability", "likelihood", "review_on")}
    values.update(rights=["privacy"], markets=["KE"])
    values.update(changes)
    return risk_actions.RiskPlan(**values)


def risk_state(organisation) -> tuple:
    return (list(Risk.objects.order_by("pk").values()), list(Mitigation.objects.order_by("pk").values()),
            RiskChange.objects.count(), AuditEntry.objects.filter(organisation=organisation).count())


def test_the_risk_actions_refuse_an_owner_from_another_organisation(hr_lead, outsider):
    risk = make_risk(hr_lead, title="Layered risk")
    mitigation = make_mitigation(hr_lead, risk)
    before = risk_state(hr_lead.organisation)

    with pytest.raises(ValidationError) as refused:
        risk_actions.create_risk(plan=plan_for(risk, title="Owned elsewhere", owner=outsider.user), by=hr_lead)
    assert "owner" in refused.value.message_dict
    with pytest.raises(ValidationError):
        risk_actions.update_risk(risk=risk, plan=plan_for(risk, owner=outsider.user), reason="moved", by=hr_lead)
    with pytest.raises(ValidationError):
        risk_actions.add_mitigation(risk=risk, action="Elsewhere", owner=outsider.user, by=hr_lead)
    with pytest.raises(ValidationError):
        risk_actions.update_mitigation(mitigation=mitigation, action=mitigation.action, status=mitigation.status,
                                       due_on=datetime.date(2027, 1, 1), reason="moved", remedy_plan="",
                                       owner=outsider.user, by=hr_lead)

    risk.refresh_from_db()
    assert risk.owner == hr_lead.user
    assert risk_state(hr_lead.organisation) == before


# The audit page: an entry moved to another row ----------------------------------------------------

def test_the_audit_page_flags_rows_swapped_in_the_table(auditor, sign_in):
    remove_append_only_triggers()
    entries = [audit.record(organisation=auditor.organisation, by=None, action=f"layer.{n}", summary=f"step {n}")
               for n in range(4)]
    first, second = entries[1], entries[2]
    # Each row keeps its own fields and seal: only their places in the table are exchanged, which is what
    # moving an entry looks like when its hashes cannot be forged.
    spare = max(entry.pk for entry in entries) + 1000
    sql("UPDATE core_auditentry SET id = %s WHERE id = %s", [spare, first.pk])
    sql("UPDATE core_auditentry SET id = %s WHERE id = %s", [first.pk, second.pk])
    sql("UPDATE core_auditentry SET id = %s WHERE id = %s", [second.pk, spare])

    page = sign_in(auditor).get("/audit/").content.decode()

    assert f"The audit chain is broken at entry {second.sequence}: reordered." in page
    assert "Chain verified" not in page
