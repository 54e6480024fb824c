"""Mending mistakes: inputs edited with their earlier versions kept, withdrawn, merged; engagements cancelled."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from rightsloop.core.models import AuditEntry
from rightsloop.core.periods import Period
from rightsloop.engagements import actions, public_data, queries
from rightsloop.engagements.evidence import collect_mechanisms
from rightsloop.engagements.models import Decision, Engagement, Input, InputVersion
from rightsloop.engagements.reports import build_report
from rightsloop.risks.models import RiskInput
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.actions import record_consent
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_engagement, make_input, make_participation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def consent_to_attribution(stakeholder, by):
    record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=True, method="written",
                   given_on=TODAY, by=by)


@pytest.fixture
def heard(hr_lead):
    """An engagement where one person said two things, both decided."""
    engagement = make_engagement(hr_lead, title="Location data workshop")
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    kept = make_input(hr_lead, engagement, participation, text="Delete location history after 30 days.")
    mistaken = make_input(hr_lead, engagement, participation, text="Words typed against the wrong person.")
    for item in (kept, mistaken):
        actions.record_decision(input=item, outcome="not_adopted", rationale="Fraud checks need 90 days.",
                                by=hr_lead)
    return engagement, participation, kept, mistaken


# Editing ---------------------------------------------------------------------------------------------------------

def test_an_edit_keeps_the_version_before_it(hr_lead):
    engagement = make_engagement(hr_lead)
    first = make_stakeholder(hr_lead)
    second = make_stakeholder(hr_lead)
    consent_to_attribution(second, hr_lead)
    speaker = make_participation(hr_lead, engagement, first)
    other = make_participation(hr_lead, engagement, second)
    item = make_input(hr_lead, engagement, speaker, text="Delete location hstory.", tags=["retention"])
    actions.edit_input(input=item, text="Delete location history.", speaker=other, attribution="attributed",
                       tags=["retention", "location"], by=hr_lead)
    item = Input.objects.get(pk=item.pk)
    assert (item.text, item.speaker_id, item.attribution, item.version) == (
        "Delete location history.", other.pk, "attributed", 2)
    assert sorted(item.tags.values_list("name", flat=True)) == ["location", "retention"]
    kept = InputVersion.objects.get(input=item)
    assert (kept.version, kept.text, kept.speaker_id, kept.attribution, kept.tags) == (
        1, "Delete location hstory.", speaker.pk, "anonymised", ["retention"])
    assert kept.replaced_by == hr_lead.user and set(kept.changed_fields) == {"text", "speaker", "attribution", "tags"}
    # Each person's loop follows their words.
    speaker.refresh_from_db()
    other.refresh_from_db()
    assert (speaker.inputs_count, other.inputs_count) == (0, 1)
    entry = AuditEntry.objects.get(action="input.edited")
    assert entry.target_id == str(item.pk) and "hstory" not in entry.summary


def test_a_second_edit_adds_a_version_and_an_unchanged_one_adds_none(hr_lead):
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, text="One")
    actions.edit_input(input=item, text="Two", speaker=None, attribution="anonymised", tags=[], by=hr_lead)
    actions.edit_input(input=item, text="Three", speaker=None, attribution="anonymised", tags=[], by=hr_lead)
    actions.edit_input(input=item, text="Three", speaker=None, attribution="anonymised", tags=[], by=hr_lead)
    assert list(InputVersion.objects.filter(input=item).values_list("version", flat=True)) == [2, 1]
    assert [v.text for v in InputVersion.objects.filter(input=item)] == ["Two", "One"]
    assert AuditEntry.objects.filter(action="input.edited").count() == 2


def test_an_edit_moves_the_risk_links_copy_of_the_speaker(hr_lead):
    engagement = make_engagement(hr_lead)
    first, second = make_stakeholder(hr_lead), make_stakeholder(hr_lead)
    speaker = make_participation(hr_lead, engagement, first)
    other = make_participation(hr_lead, engagement, second)
    item = make_input(hr_lead, engagement, speaker)
    risk = make_risk(hr_lead)
    RiskInput.objects.create(risk=risk, input=item, stakeholder=first)
    actions.edit_input(input=item, text=item.text, speaker=other, attribution="anonymised", tags=[], by=hr_lead)
    assert RiskInput.objects.get(input=item).stakeholder_id == second.pk


@pytest.mark.parametrize("change,field", [
    ({"text": "  "}, "text"),
    ({"attribution": "loud"}, "attribution"),
    ({"attribution": "attributed"}, "attribution"),  # no consent to attribution
])
def test_bad_edits_are_refused_and_change_nothing(hr_lead, change, field):
    engagement = make_engagement(hr_lead)
    speaker = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, speaker, text="As said.")
    values = {"text": "As said.", "speaker": speaker, "attribution": "anonymised", "tags": [], **change}
    with pytest.raises(ValidationError) as caught:
        actions.edit_input(input=item, by=hr_lead, **values)
    assert field in caught.value.message_dict
    assert not InputVersion.objects.exists() and Input.objects.get(pk=item.pk).text == "As said."


def test_a_speaker_of_another_engagement_is_refused(hr_lead):
    engagement, elsewhere = make_engagement(hr_lead), make_engagement(hr_lead)
    stranger = make_participation(hr_lead, elsewhere, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement)
    with pytest.raises(ValidationError) as caught:
        actions.edit_input(input=item, text="x", speaker=stranger, attribution="anonymised", tags=[], by=hr_lead)
    assert "speaker" in caught.value.message_dict


# Withdrawing -----------------------------------------------------------------------------------------------------

def test_a_withdrawn_input_leaves_the_letter_the_loop_and_the_figures(hr_lead, heard):
    engagement, participation, _kept, mistaken = heard
    actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    period = Period.containing(TODAY)
    with translation.override("en"):
        before = {f.key: f.value for f in collect_mechanisms(hr_lead.organisation, period, TODAY).figures}
    assert before["inputs_recorded"] == 2
    assert queries.loop_metrics(hr_lead, TODAY).inputs_total == 2

    actions.withdraw_input(input=mistaken, reason="Recorded against the wrong person.", by=hr_lead)

    mistaken = Input.objects.get(pk=mistaken.pk)
    assert mistaken.is_withdrawn and mistaken.withdrawal_reason == "Recorded against the wrong person."
    assert mistaken.decisions.count() == 1  # kept, as history
    # The letter quotes only what stands.
    letter = build_report(participation).body
    assert "Delete location history after 30 days." in letter and "wrong person" not in letter
    # The loop counts only what stands: still closed, one input.
    engagement.refresh_from_db()
    participation.refresh_from_db()
    assert (engagement.inputs_count, engagement.decided_count, engagement.loop_state) == (1, 1, "closed")
    assert participation.inputs_count == 1 and participation.loop_closed
    # The board's figures, the dashboard's and the public tables.
    with translation.override("en"):
        after = {f.key: f.value for f in collect_mechanisms(hr_lead.organisation, period, TODAY).figures}
    assert after["inputs_recorded"] == 1
    assert queries.loop_metrics(hr_lead, TODAY).inputs_total == 1
    outcomes = public_data.decisions_by_outcome(hr_lead.organisation, period.start, period.end)
    assert sum(row["inputs"] for row in outcomes) == 1
    entry = AuditEntry.objects.get(action="input.withdrawn")
    assert entry.target_id == str(mistaken.pk) and "wrong person" not in entry.summary


def test_withdrawing_the_only_undecided_input_closes_nothing_wrongly(hr_lead):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation)
    actions.withdraw_input(input=item, reason="Test entry.", by=hr_lead)
    engagement.refresh_from_db()
    assert engagement.loop_state == "not_started" and engagement.inputs_count == 0
    assert not queries.decision_queue(hr_lead).filter(pk=item.pk).exists()


def test_a_withdrawal_needs_a_reason_and_happens_once(hr_lead, heard):
    _engagement, _participation, _kept, mistaken = heard
    with pytest.raises(ValidationError) as caught:
        actions.withdraw_input(input=mistaken, reason=" ", by=hr_lead)
    assert "reason" in caught.value.message_dict
    actions.withdraw_input(input=mistaken, reason="Duplicate of a typo.", by=hr_lead)
    with pytest.raises(ValidationError):
        actions.withdraw_input(input=mistaken, reason="Again.", by=hr_lead)
    with pytest.raises(ValidationError):
        actions.edit_input(input=mistaken, text="x", speaker=None, attribution="anonymised", tags=[], by=hr_lead)
    with pytest.raises(ValidationError):
        actions.record_decision(input=mistaken, outcome="adopted", rationale="", by=hr_lead)
    assert AuditEntry.objects.filter(action="input.withdrawn").count() == 1


# Merging ---------------------------------------------------------------------------------------------------------

def test_a_duplicate_is_merged_into_the_input_kept(hr_lead):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    keep = make_input(hr_lead, engagement, participation, text="Delete location history.", tags=["retention"])
    twice = make_input(hr_lead, engagement, participation, text="Delete location history!", tags=["location"])
    actions.record_decision(input=twice, outcome="adopted", rationale="Done in 2.4.", by=hr_lead)
    risk = make_risk(hr_lead)
    RiskInput.objects.create(risk=risk, input=twice, stakeholder=participation.stakeholder)

    actions.merge_inputs(keep=keep, duplicate=twice, by=hr_lead)

    keep, twice = Input.objects.get(pk=keep.pk), Input.objects.get(pk=twice.pk)
    assert twice.merged_into_id == keep.pk and not twice.stands and keep.stands
    assert sorted(keep.tags.values_list("name", flat=True)) == ["location", "retention"]
    assert RiskInput.objects.filter(input=keep, risk=risk).exists()
    # The kept input had no decision: the duplicate's is carried over as a new revision; its own stays.
    assert keep.outcome == "adopted" and keep.current_decision.rationale == "Done in 2.4."
    assert Decision.objects.filter(input=twice).count() == 1
    engagement.refresh_from_db()
    assert engagement.inputs_count == 1 and engagement.decided_count == 1
    assert "carried over: tags, risks, decision" in AuditEntry.objects.get(action="input.merged").summary


def test_the_kept_inputs_own_decision_stands(hr_lead, heard):
    _engagement, _participation, kept, twice = heard
    actions.record_decision(input=twice, outcome="adopted", rationale="Other view.", by=hr_lead)
    actions.merge_inputs(keep=kept, duplicate=twice, by=hr_lead)
    kept.refresh_from_db()
    assert kept.outcome == "not_adopted" and kept.decisions.count() == 1


def test_inputs_of_different_speakers_are_not_merged(hr_lead):
    engagement = make_engagement(hr_lead)
    one = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    two = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    with pytest.raises(ValidationError) as caught:
        actions.merge_inputs(keep=one, duplicate=two, by=hr_lead)
    assert "duplicate" in caught.value.message_dict
    with pytest.raises(ValidationError):
        actions.merge_inputs(keep=one, duplicate=one, by=hr_lead)
    assert not Input.objects.merged_away().exists() and not AuditEntry.objects.filter(action="input.merged").exists()


# Cancelling ------------------------------------------------------------------------------------------------------

def test_a_mistaken_engagement_is_cancelled_and_leaves_lists_and_figures(hr_lead):
    engagement = make_engagement(hr_lead, starts_on=TODAY - datetime.timedelta(days=80),
                                 ends_on=TODAY - datetime.timedelta(days=80))
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation)
    assert list(queries.overdue_loops(hr_lead, TODAY, limit=None)) == [engagement]

    actions.cancel_engagement(engagement=engagement, reason="Created twice by mistake.", by=hr_lead)

    engagement = Engagement.objects.get(pk=engagement.pk)
    assert engagement.is_cancelled and engagement.cancellation_reason == "Created twice by mistake."
    assert Input.objects.get(pk=item.pk).is_withdrawn
    assert not queries.engagement_list(hr_lead, queries.EngagementFilters(), TODAY).filter(pk=engagement.pk).exists()
    assert queries.engagement_list(hr_lead, queries.EngagementFilters(cancelled=True), TODAY).get() == engagement
    assert not queries.overdue_loops(hr_lead, TODAY, limit=None).exists()
    assert queries.loop_metrics(hr_lead, TODAY).inputs_total == 0
    assert queries.access_engagement(hr_lead, engagement.pk) == engagement  # still viewable
    assert AuditEntry.objects.filter(action="engagement.cancelled", target_id=str(engagement.pk)).exists()


def test_cancelling_is_refused_once_a_report_was_sent(hr_lead, heard):
    engagement, participation, _kept, _mistaken = heard
    actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.cancel_engagement(engagement=engagement, reason="Oops.", by=hr_lead)
    assert "already sent" in caught.value.message_dict["reason"][0]
    engagement.refresh_from_db()
    assert not engagement.is_cancelled and not Input.objects.withdrawn().exists()
    with pytest.raises(ValidationError):
        actions.cancel_engagement(engagement=make_engagement(hr_lead), reason="", by=hr_lead)


def test_erasing_the_speaker_clears_the_earlier_versions_too(hr_lead):
    from rightsloop.engagements.subjects import erase

    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead)
    participation = make_participation(hr_lead, engagement, person)
    item = make_input(hr_lead, engagement, participation, text="First words.")
    actions.edit_input(input=item, text="Second words.", speaker=participation, attribution="anonymised", tags=[],
                       by=hr_lead)
    erase(person)
    assert bytes(InputVersion.objects.get(input=item).text_sealed) == b""
