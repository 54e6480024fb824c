"""Results: findings into inputs, what became of them, hearing back, the results page and the runs API."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rightsloop.consensus import analysis, links
from rightsloop.consensus.actions import results as result_actions
from rightsloop.consensus.actions.results import Pick, results_to_inputs, send_outcome
from rightsloop.consensus.models import AnalysisRun, ExerciseResult
from rightsloop.consensus.outcomes import outcome_for
from rightsloop.consensus.tasks import send_outcome_emails
from rightsloop.consensus.vocabulary import ResultKind, RunState
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.actions.decisions import record_decision
from rightsloop.engagements.models import Input
from rightsloop.engagements.tests.factories import make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories_results import add_participants, make_exercise, plant_two_groups

pytestmark = pytest.mark.django_db


def analysed(viewer, **fields):
    exercise = make_exercise(viewer, **fields)
    people, _statements = plant_two_groups(exercise)
    run = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    assert run.state == RunState.DONE
    return exercise, run, people


def test_findings_become_routed_anonymised_inputs_once(hr_lead):
    exercise, run, _people = analysed(hr_lead, question="Scan messages?")
    agree = run.results["consensus"]["agree"][0]["statement"]
    stands = run.results["representative"]["1"][0]["statement"]
    divide = run.results["divisive"][0]["statement"]
    picks = [Pick(statement=agree, kind=ResultKind.CONSENSUS_AGREE),
             Pick(statement=stands, kind=ResultKind.REPRESENTATIVE, group=1),
             Pick(statement=divide, kind=ResultKind.DIVISIVE)]
    rows = results_to_inputs(run=run, picks=picks, by=hr_lead, owning_function="policy")
    inputs = Input.objects.filter(engagement=exercise.engagement).order_by("id")
    assert len(rows) == 3 == inputs.count()
    assert {i.owning_function for i in inputs} == {"policy"} and all(i.attribution == "anonymised" for i in inputs)
    assert all(i.speaker_id is None for i in inputs)
    common = inputs[0].text
    assert common.startswith("Common ground in the consensus exercise “Scan messages?”: ")
    assert re.search(r": \d+% of the 24 participants who voted on it agree that “Statement \d+", common)
    assert "group B (12 participants)" in inputs[1].text and "group A: " in inputs[2].text
    assert AuditEntry.objects.filter(action="exercise.results_to_inputs").count() == 1
    # Again, with one new pick: the three are not doubled.
    again = results_to_inputs(run=run, picks=[*picks, Pick(statement=agree, kind=ResultKind.CONSENSUS_AGREE)],
                              by=hr_lead)
    assert [r.pk for r in again] == [r.pk for r in rows] and inputs.count() == 3
    assert ExerciseResult.objects.filter(run=run).count() == 3


def test_a_pick_the_run_did_not_find_or_a_hidden_group_is_refused(hr_lead, auditor):
    exercise, run, _people = analysed(hr_lead)
    divide = run.results["divisive"][0]["statement"]
    with pytest.raises(ValidationError) as error:
        results_to_inputs(run=run, picks=[Pick(statement=divide, kind=ResultKind.CONSENSUS_AGREE)], by=hr_lead)
    assert "picks" in error.value.message_dict
    with pytest.raises(ValidationError):
        results_to_inputs(run=run, picks=[Pick(statement=divide, kind=ResultKind.REPRESENTATIVE, group=4)],
                          by=hr_lead)
    with pytest.raises(PermissionDenied):
        results_to_inputs(run=run, picks=[Pick(statement=divide, kind=ResultKind.DIVISIVE)], by=auditor)
    assert not Input.objects.filter(engagement=exercise.engagement).exists()


def test_figures_of_a_group_too_small_are_never_written_or_shown(hr_lead, sign_in):
    exercise, run, _people = analysed(hr_lead, min_group_size=13)  # both planted groups have 12
    assert [g["shown"] for g in run.results["groups"]] == [False, False]
    assert run.results["representative"] == {} and run.results["divisive"] == []
    page = sign_in(hr_lead).get(reverse("consensus:results", args=[exercise.pk])).content.decode()
    assert "A group too small to show" in page and "Group A" not in page and "(12 participants)" not in page
    assert "fewer than 13" in page


def test_outcome_for_reads_the_decision_or_says_undecided(hr_lead, admin):
    exercise, run, _people = analysed(hr_lead)
    agree = run.results["consensus"]["agree"][0]["statement"]
    stands = run.results["representative"]["0"][0]["statement"]
    first, _second = results_to_inputs(run=run, by=hr_lead, owning_function="policy", picks=[
        Pick(statement=agree, kind=ResultKind.CONSENSUS_AGREE),
        Pick(statement=stands, kind=ResultKind.REPRESENTATIVE, group=0)])
    due = datetime.date.today() + datetime.timedelta(days=30)
    record_decision(input=first.input, outcome="under_consideration", rationale="Keys stay on the device.",
                    next_step="Publish the design", next_step_due=due, by=admin)
    decided, undecided = outcome_for(exercise)
    assert (decided.kind, decided.outcome, decided.rationale, decided.next_step, decided.next_step_due) == (
        ResultKind.CONSENSUS_AGREE, "under_consideration", "Keys stay on the device.", "Publish the design", due)
    assert decided.statement_number == agree and decided.group_label == "" and decided.decided_at
    assert undecided.outcome == "" and undecided.outcome_label == "Not decided yet" and undecided.group_label == "A"


def _voter(exercise, viewer, **stakeholder_fields):
    stakeholder = make_stakeholder(viewer, **stakeholder_fields)
    extra = {"override_reason": "Asked to be engaged directly"} if stakeholder.safety_level == "high" else {}
    participation = make_participation(viewer, exercise.engagement, stakeholder, **extra)
    [participant] = add_participants(exercise, 1, participation=participation, link_nonce=links.new_nonce())
    return participant


def test_send_outcome_emails_only_those_email_is_safe_for(hr_lead, mailoutbox, django_capture_on_commit_callbacks):
    exercise, run, _people = analysed(hr_lead)
    results_to_inputs(run=run, by=hr_lead, picks=[
        Pick(statement=run.results["consensus"]["agree"][0]["statement"], kind=ResultKind.CONSENSUS_AGREE)])
    normal = _voter(exercise, hr_lead, email="normal@example.net", preferred_language="fr")
    _voter(exercise, hr_lead, email="high@example.net", safety_level="high", safe_channels=["email"])
    _voter(exercise, hr_lead, email="elevated@example.net", safety_level="elevated", safe_channels=["in_person"])
    elevated_ok = _voter(exercise, hr_lead, email="ok@example.net", safety_level="elevated", safe_channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_outcome(exercise=exercise, by=hr_lead) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["normal@example.net", "ok@example.net"]
    to_normal = next(m for m in mailoutbox if m.to == ["normal@example.net"])
    assert to_normal.extra_headers["Content-Language"] == "fr"
    assert links.token_for(normal) in to_normal.body and links.token_for(elevated_ok) not in to_normal.body
    assert "high@example.net" not in str([m.to for m in mailoutbox])
    assert AuditEntry.objects.filter(action="exercise.outcome_sent").count() == 1


def test_send_outcome_needs_a_finding_and_someone_to_write_to(hr_lead, auditor):
    exercise, run, _people = analysed(hr_lead)
    with pytest.raises(ValidationError):
        send_outcome(exercise=exercise, by=hr_lead)
    results_to_inputs(run=run, by=hr_lead, picks=[
        Pick(statement=run.results["consensus"]["agree"][0]["statement"], kind=ResultKind.CONSENSUS_AGREE)])
    _voter(exercise, hr_lead, email="high@example.net", safety_level="high", safe_channels=["email"])
    with pytest.raises(ValidationError):
        send_outcome(exercise=exercise, by=hr_lead)
    with pytest.raises(PermissionDenied):
        send_outcome(exercise=exercise, by=auditor)


def test_the_outcome_task_run_twice_writes_to_each_participant_once(hr_lead, mailoutbox):
    exercise, _run, _people = analysed(hr_lead)
    first = _voter(exercise, hr_lead, email="first@example.net")
    second = _voter(exercise, hr_lead, email="second@example.net")
    asked = timezone.now().isoformat()
    ids = [first.pk, second.pk]
    assert send_outcome_emails.call(exercise_id=exercise.pk, participant_ids=ids, requested_at=asked) == 2
    # The worker died after sending and the task runs again for the same request: nobody is written to twice.
    assert send_outcome_emails.call(exercise_id=exercise.pk, participant_ids=ids, requested_at=asked) == 0
    assert sorted(m.to[0] for m in mailoutbox) == ["first@example.net", "second@example.net"]
    # A later request (the facilitator tells them again after new decisions) writes to them again.
    later = (timezone.now() + datetime.timedelta(seconds=1)).isoformat()
    assert send_outcome_emails.call(exercise_id=exercise.pk, participant_ids=ids, requested_at=later) == 2


def test_safety_is_checked_again_when_the_email_goes(hr_lead, mailoutbox):
    exercise, _run, _people = analysed(hr_lead)
    participant = _voter(exercise, hr_lead, email="later-high@example.net")
    participant.participation.stakeholder.__class__.objects.filter(
        pk=participant.participation.stakeholder_id).update(safety_level="high")
    assert result_actions.deliver_outcome(exercise_id=exercise.pk, participant_ids=[participant.pk]) == 0
    assert mailoutbox == []


def test_results_page_shows_map_groups_common_ground_and_divides_in_few_queries(
        hr_lead, sign_in, django_assert_max_num_queries):
    exercise, run, _people = analysed(hr_lead)
    client = sign_in(hr_lead)
    url = reverse("consensus:results", args=[exercise.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="chart-opinion-map"' in page and page.count("<circle") >= 24
    assert "Group A (12)" in page and "Group B (12)" in page
    assert 'id="chart-consensus"' in page and "What divides the groups" in page
    assert f"Analysis run #{run.pk}" in page and run.engine_version in page and "seed=0" in page
    opinion_map = re.search(r'<figure class="chart chart-scatter".*?</svg>', page, re.S).group(0)
    assert "<text" not in opinion_map and set(re.findall(r"<title>([^<]*)</title>", opinion_map)) == {
        "Group A", "Group B"}  # nobody is named, nor numbered
    history = client.get(reverse("consensus:runs", args=[exercise.pk]))
    assert history.status_code == 200 and f"#{run.pk}" in history.content.decode()


def test_results_page_before_any_run_and_after_not_enough(hr_lead, sign_in):
    exercise = make_exercise(hr_lead)
    client = sign_in(hr_lead)
    url = reverse("consensus:results", args=[exercise.pk])
    assert "No analysis has been done yet" in client.get(url).content.decode()
    plant_two_groups(exercise, per_group=1, statements=3)
    analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    page = client.get(reverse("consensus:results", args=[exercise.pk])).content.decode()
    assert "Not enough people have voted yet" in page and "chart-opinion-map" not in page


def test_a_large_exercise_maps_base_clusters_not_people(hr_lead, sign_in, monkeypatch):
    from rightsloop.consensus.views import results as views

    _exercise, run, _people = analysed(hr_lead)
    monkeypatch.setattr(views, "MAP_PEOPLE", 10)
    chart, clusters = views.opinion_map(run, run.results)
    placed = analysis.load_placements(run)
    assert clusters and sum(len(cloud.dots) for cloud in chart.series) == len(placed.base_size) < 24


def test_analyse_now_and_findings_form_through_the_pages(hr_lead, auditor, sign_in,
                                                           django_capture_on_commit_callbacks):
    exercise, run, _people = analysed(hr_lead)
    client = sign_in(hr_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("consensus:analyse", args=[exercise.pk]))
    assert response.status_code == 302 and exercise.runs.filter(state=RunState.DONE).count() == 2
    assert AuditEntry.objects.filter(action="exercise.analysis_requested").count() == 1
    url = reverse("consensus:results-to-inputs", args=[exercise.pk, run.pk])
    form = client.get(url).content.decode()
    agree = run.results["consensus"]["agree"][0]["statement"]
    value = f"consensus_agree:-1:{agree}"
    assert value in form
    assert client.post(url, {"findings": ["nonsense:1:2"]}).status_code == 400
    assert client.post(url, {"findings": [value], "owning_function": "legal"}).status_code == 302
    assert Input.objects.get(engagement=exercise.engagement).owning_function == "legal"
    assert "Already an input" in client.get(url).content.decode()
    assert sign_in(auditor).post(reverse("consensus:analyse", args=[exercise.pk])).status_code in (403, 404)


def test_runs_api(hr_lead, outsider, auditor, api, django_capture_on_commit_callbacks):
    exercise, run, people = analysed(hr_lead)
    base = f"/api/v1/consensus/exercises/{exercise.pk}"
    listed = api(hr_lead).get(f"{base}/runs").json()
    assert [item["id"] for item in listed["items"]] == [run.pk] and "results" not in listed["items"][0]
    detail = api(hr_lead).get(f"{base}/runs/{run.pk}").json()
    assert detail["results"] == run.results and detail["engine_version"] == run.engine_version
    points = api(hr_lead).get(f"{base}/runs/{run.pk}/map").json()
    assert points["participants"] == [p.number for p in people] and set(points["group"]) == {0, 1}
    assert set(points) == {"participants", "x", "y", "group"}
    agree = run.results["consensus"]["agree"][0]["statement"]
    made = api(hr_lead).post(f"{base}/runs/{run.pk}/inputs", {"picks": [
        {"statement": agree, "kind": "consensus_agree"}], "owning_function": "policy"})
    assert made.status_code == 201 and made.json()[0]["statement_number"] == agree
    bad = api(hr_lead).post(f"{base}/runs/{run.pk}/inputs", {"picks": [{"statement": agree, "kind": "divisive"}]})
    assert bad.status_code == 400
    outcome = api(hr_lead).get(f"{base}/outcome").json()
    assert outcome[0]["outcome_label"] == "Not decided yet" and outcome[0]["statement_number"] == agree
    with django_capture_on_commit_callbacks(execute=False):
        queued = api(hr_lead).post(f"{base}/analyse")
    assert queued.status_code == 202 and queued.json()["state"] == "queued"
    assert api(outsider).get(f"{base}/runs").status_code == 404
    assert api(outsider).get(f"{base}/runs/{run.pk}/map").status_code == 404
    assert api(auditor).post(f"{base}/analyse").status_code == 403
    assert api(auditor).post(f"{base}/outcome/send").status_code == 403
    assert api(hr_lead).post(f"{base}/outcome/send").status_code == 400  # nobody to write to


def test_map_api_hides_the_group_of_a_group_too_small(hr_lead, api):
    exercise, run, _people = analysed(hr_lead, min_group_size=13)
    points = api(hr_lead).get(f"/api/v1/consensus/exercises/{exercise.pk}/runs/{run.pk}/map").json()
    assert set(points["group"]) == {None}
