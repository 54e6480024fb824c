"""manage.py load_demo builds the demo organisation through the actions, once, and rebuilds it on --reset.

The demo is loaded once for the module (conftest.py `loaded_demo`); each test's own changes are undone.
"""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rightsloop.accounts.actions import add_member
from rightsloop.accounts.models import ApiToken, Membership, User, hash_token
from rightsloop.accounts.tests.factories import make_organisation
from rightsloop.core import audit, keys
from rightsloop.core.models import AuditChainHead, AuditEntry, Organisation
from rightsloop.core.tests.test_audit_triggers import install_append_only_triggers
from rightsloop.demo import consensus as demo_consensus
from rightsloop.demo import content
from rightsloop.demo import load as demo_load
from rightsloop.demo.loader import count_demo
from rightsloop.engagements.models import Engagement, FeedbackReport, Input, Participation
from rightsloop.engagements.vocabulary import Attribution, LoopState, Outcome
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.vocabulary import Kind, SafetyLevel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def append_only_audit_log(db):
    """Load and reset the demo under the database's refusal to change or delete audit rows."""
    install_append_only_triggers()


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def demo_organisation() -> Organisation:
    return Organisation.objects.get(slug=content.ORGANISATION_SLUG)


def printed_token(output: str) -> str:
    tokens = set(re.findall(r"\brl_[A-Za-z0-9_-]+", output))
    assert len(tokens) == 1, output
    return tokens.pop()


def test_creates_one_sign_in_per_role_with_the_printed_password(loaded_demo):
    output = loaded_demo

    memberships = Membership.objects.filter(organisation=demo_organisation()).select_related("user")
    assert Counter(m.role for m in memberships) == {
        "admin": 1, "hr_lead": 2, "decision_maker": 2, "board": 1, "auditor": 1,
    }
    assert {m.function for m in memberships if m.role == "decision_maker"} == {"product", "legal"}
    assert "http://127.0.0.1:8000/" in output
    assert content.DEMO_PASSWORD in output
    assert len(content.DEMO_PASSWORD) >= 12
    for membership in memberships:
        assert membership.user.username in output
        assert membership.user.check_password(content.DEMO_PASSWORD)


def test_prints_a_working_token_for_the_human_rights_lead(loaded_demo):
    output = loaded_demo

    token = ApiToken.objects.usable().get(key_hash=hash_token(printed_token(output)))
    assert token.membership.role == "hr_lead"
    assert token.membership.user.username == content.HR_LEAD


def test_creates_the_stakeholders_and_engagements_of_the_content(loaded_demo):
    organisation = demo_organisation()

    stakeholders = Stakeholder.objects.for_organisation(organisation)
    # The register's people, the NGO several teams asked too often with one of its people (demo/load.py), and two
    # local partners the East African assessment registered (demo/assessments.py).
    assert stakeholders.count() == len(content.STAKEHOLDERS) + 2 + 2 >= 34
    assert {demo_load.NGO_NAME, demo_load.MEMBER_NAME} <= {s.name for s in stakeholders}
    assert set(stakeholders.values_list("kind", flat=True)) == set(Kind.values)
    # The content's people at high safety level, and a local partner of the East African assessment.
    assert stakeholders.filter(safety_level=SafetyLevel.HIGH).count() in (3, 4)
    assert stakeholders.filter(preferred_language__in=["es", "fr"]).exists()
    proxies = stakeholders.filter(kind=Kind.PROXY)
    assert all(p.representations.current().exclude(legitimacy_basis="").exists() for p in proxies)
    # Besides the consultation, the grievances' remedy dialogues (demo/grievances.py) and the joint dialogue on
    # scanning Kestrel Chat (demo/consensus.py).
    engagements = Engagement.objects.for_organisation(organisation).exclude(
        type__in=["public_consultation", "remedy_dialogue"]).exclude(title=demo_consensus.TITLE)
    assert engagements.count() == len(content.ENGAGEMENTS) + len(demo_load.ASKS) == 13


def test_the_consultation_is_imported_analysed_and_partly_decided(loaded_demo):
    from rightsloop.consultations.models import Consultation, ThemeAssignment

    consultation = Consultation.objects.get(organisation=demo_organisation())
    assert consultation.responses_count == 400 and consultation.published and consultation.yes_no
    assert consultation.duplicate_groups.filter(kind="campaign").exists()
    finals = consultation.themes.final()
    assert finals.count() >= 3
    assert finals.exclude(outcome="").count() == 2
    assert finals.routed_to("product").filter(outcome="").count() == 1  # waiting for the product lead
    placed = ThemeAssignment.objects.filter(consultation=consultation, source="assigned")
    assert placed.values("response").distinct().count() == 400
    assert {"en", "es", "fr", "de"} <= set(consultation.responses.values_list("language", flat=True))
    # Published only under labels the analyst wrote, with the stance of the two decided themes reviewed.
    assert not finals.label_unconfirmed().exists()
    assert finals.filter(stance_reviewed_at__isnull=False).count() == 2


def test_the_dashboard_has_a_closed_an_overdue_a_due_and_an_upcoming_loop(loaded_demo):
    organisation = demo_organisation()
    today = timezone.localdate()

    engagements = Engagement.objects.for_organisation(organisation)
    closed = engagements.get(loop_state=LoopState.CLOSED)
    assert closed.decided_count == closed.inputs_count > 0
    assert closed.participants_closed == closed.participants_with_inputs
    assert engagements.overdue(today).count() == 1
    assert engagements.overdue(today).get().inputs.awaiting_decision().exists()
    assert engagements.due_between(today, today + datetime.timedelta(days=6)).count() == 1
    # Besides the upcoming asks of the over-solicited NGO (demo/load.py), one upcoming meeting of the content.
    upcoming = engagements.exclude(title__in=[ask[0] for ask in demo_load.ASKS]).get(starts_on__gt=today)
    assert upcoming.loop_state == LoopState.NOT_STARTED
    assert upcoming.participations.exists()


def test_decisions_cover_every_outcome_and_feedback_is_in_the_speakers_language(loaded_demo):
    organisation = demo_organisation()

    inputs = Input.objects.for_organisation(organisation)
    assert set(inputs.decided().values_list("outcome", flat=True)) == set(Outcome.values)
    assert inputs.awaiting_decision().exists()
    assert inputs.untriaged().exists()
    assert {"es", "fr"} <= set(FeedbackReport.objects.for_organisation(organisation).values_list("language", flat=True))
    # Every input went through record_input, and so through the audit log.
    assert AuditEntry.objects.filter(organisation=organisation, action="input.recorded").count() == inputs.count()


def test_running_twice_adds_nothing_but_a_fresh_token(loaded_demo):
    first = loaded_demo
    before = count_demo(demo_organisation(), timezone.localdate())

    second = load_demo()

    assert Organisation.objects.filter(slug=content.ORGANISATION_SLUG).count() == 1
    assert count_demo(demo_organisation(), timezone.localdate()) == before
    assert printed_token(first) != printed_token(second)
    assert ApiToken.objects.usable().filter(key_hash=hash_token(printed_token(second))).exists()


def test_reset_deletes_the_demo_and_builds_it_again(loaded_demo):
    old = demo_organisation()
    before = count_demo(old, timezone.localdate())
    old_engagements = list(Engagement.objects.for_organisation(old).values_list("pk", flat=True))
    old_entries = list(AuditEntry.objects.filter(organisation=old).values_list("pk", "entry_hash"))
    actors = dict(User.objects.filter(pk__in=AuditEntry.objects.values("actor_id")).values_list("username", "pk"))
    hr_lead = User.objects.get(username=content.HR_LEAD)
    hr_lead.set_password("changed during the demo")
    hr_lead.save(update_fields=["password"])

    output = load_demo("--reset")

    new = demo_organisation()
    assert not Engagement.objects.filter(pk__in=old_engagements).exists()
    assert count_demo(new, timezone.localdate()) == before
    assert User.objects.filter(username__in=[m.username for m in content.MEMBERS]).count() == len(content.MEMBERS)
    assert ApiToken.objects.usable().filter(key_hash=hash_token(printed_token(output))).exists()
    # The audit log is append-only: the organisation, its entries and the accounts they name stay.
    assert new.pk == old.pk
    assert list(AuditEntry.objects.filter(pk__in=[pk for pk, _hash in old_entries]).order_by("pk")
                .values_list("pk", "entry_hash")) == sorted(old_entries)
    assert set(AuditEntry.objects.filter(organisation=new).values_list("action", flat=True)) >= {
        "demo.deleted", "demo.reloaded"}
    assert actors and dict(User.objects.filter(username__in=actors).values_list("username", "pk")) == actors
    assert User.objects.get(username=content.HR_LEAD).check_password(content.DEMO_PASSWORD)
    entries = (audit.ChainEntry.of(entry) for entry in AuditEntry.objects.order_by("sequence"))
    assert audit.verify(entries, AuditChainHead.objects.get(), keys.audit_key()).intact


def test_people_at_high_risk_take_part_only_through_a_proxy_and_are_never_named(loaded_demo):
    organisation = demo_organisation()

    high = Participation.objects.filter(
        engagement__organisation=organisation, stakeholder__safety_level=SafetyLevel.HIGH
    )
    assert high.exists()
    assert not high.filter(via_proxy__isnull=True).exists()
    assert not high.filter(direct_override_by__isnull=False).exists()
    assert set(high.values_list("via_proxy__kind", flat=True)) == {Kind.PROXY}
    # What their proxies relayed is their groups' (issue 12): nothing is stored against them.
    assert not Input.objects.filter(speaker__in=high).exists()
    relayed = Input.objects.filter(organisation=organisation, group__isnull=False)
    assert relayed.filter(group__name=content.DEFENDERS_GROUP, speaker__stakeholder__kind=Kind.PROXY).exists()
    assert set(relayed.values_list("attribution", flat=True)) == {Attribution.ANONYMISED}


def test_a_reset_that_cannot_rebuild_leaves_the_old_demo_in_place(loaded_demo):
    old = demo_organisation()
    before = count_demo(old, timezone.localdate())
    # The human rights lead also works for another company, so the reset cannot delete that account.
    add_member(organisation=make_organisation(), username=content.HR_LEAD, email="", first_name="", last_name="",
               password=None, role="hr_lead", by=None)

    with pytest.raises(CommandError, match=content.HR_LEAD):
        load_demo("--reset")

    assert demo_organisation().pk == old.pk
    assert count_demo(old, timezone.localdate()) == before


def test_a_proxy_speaks_for_a_group_of_defenders_whose_protected_member_only_grant_holders_see(loaded_demo):
    from rightsloop.accounts.viewer import Viewer
    from rightsloop.stakeholders import queries
    from rightsloop.stakeholders.models import AffectedGroup

    organisation = demo_organisation()
    group = AffectedGroup.objects.get(organisation=organisation, name=content.DEFENDERS_GROUP)
    (mandate,) = group.representations.current()
    assert mandate.proxy.name == "Lanthit Digital Safety Collective" and mandate.proxy.kind == Kind.PROXY
    assert mandate.legitimacy_basis and mandate.evidence and mandate.reviewed_on
    assert group.risks.exists() and "human_rights_defender" in group.at_risk
    (member,) = group.members.all()
    assert member.safety_level == SafetyLevel.HIGH
    memberships = {m.user.username: Viewer.from_membership(m) for m in organisation.memberships.all()}
    assert list(queries.group_members(memberships[content.HR_LEAD], group)) == [member]
    assert list(queries.group_members(memberships[content.ADMIN], group)) == []
    listed = {g.name: g for g in queries.group_list(memberships[content.ADMIN])}
    assert listed[content.DEFENDERS_GROUP].member_count == 0


def test_the_stakeholders_side_of_the_relationship_is_in_the_demo(loaded_demo):
    """Issue 13's demo: agreements in every state (one declined, one NDA past its sunset), two rating rounds,
    payments and grants, an over-solicited NGO, and a printed portal link."""
    from rightsloop.engagements.load import load_of
    from rightsloop.relationships.models import Agreement, AgreementState, RatingRound
    from rightsloop.resourcing.models import Grant, Payment

    organisation = demo_organisation()
    today = timezone.localdate()
    agreements = Agreement.objects.filter(organisation=organisation)
    assert set(agreements.values_list("state", flat=True)) >= {
        AgreementState.DRAFTED, AgreementState.PROPOSED, AgreementState.DECLINED,
        AgreementState.CHANGES_REQUESTED, AgreementState.IN_FORCE, AgreementState.UNDER_REVIEW, AgreementState.ENDED}
    assert agreements.filter(accepted_version__nda_sunset_on__lt=today).exists()
    assert RatingRound.objects.filter(organisation=organisation).count() == 2
    assert Payment.objects.filter(organisation=organisation).values("currency").distinct().count() >= 2
    assert Payment.objects.filter(organisation=organisation, state="declined").exists()
    assert Grant.objects.filter(organisation=organisation, tranches__isnull=False).exists()
    ngo = Stakeholder.objects.for_organisation(organisation).get(
        pk__in=[s.pk for s in Stakeholder.objects.for_organisation(organisation) if s.name == demo_load.NGO_NAME])
    assert load_of(ngo, with_requests=False).over
    assert "/portal/enter/" in loaded_demo
