"""Discovery and assignment runs over the database: what they store, that they repeat, and how they fail."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from rightsloop.core.models import AuditEntry

from ..actions import analysis as runs
from ..actions import themes as actions
from ..analysis import themes as themes_engine
from ..models import (
    AnalysisRun,
    AssignmentSource,
    DuplicateGroup,
    Response,
    RunState,
    Theme,
    ThemeAssignment,
    ThemeExample,
    ThemeStatus,
)
from .factories import make_applied_import, make_consultation
from .synthetic import CAMPAIGN, confirm_first_examples, make_analysed, synthetic_rows

pytestmark = pytest.mark.django_db


def theme_sets(consultation):
    """Each candidate theme as (key terms, member ids), comparable across runs."""
    return sorted((tuple(theme.key_terms), tuple(sorted(theme.assignments.values_list("response_id", flat=True))))
                  for theme in consultation.themes.filter(status=ThemeStatus.CANDIDATE))


def test_discovery_is_queued_then_stores_candidate_themes(hr_lead, django_capture_on_commit_callbacks):
    consultation = make_consultation(hr_lead, yes_no=True)
    make_applied_import(consultation, synthetic_rows(40), by=hr_lead)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_discovery(consultation=consultation, parameters={"seed": 3, "themes": 4}, by=hr_lead)
    assert run.state == "queued"
    run.refresh_from_db()
    assert run.state == "done", run.message
    assert run.parameters["seed"] == 3 and run.parameters["themes"] == 4 and "sample" in run.parameters
    assert "engine" in run.parameters and "near_threshold" in run.parameters
    assert set(run.stage_seconds) == {"load", "languages", "duplicates", "stance", "themes", "store"}
    themes = list(consultation.themes.all())
    assert len(themes) == 4 and all(theme.status == ThemeStatus.CANDIDATE for theme in themes)
    for theme in themes:
        assert theme.label == ", ".join(theme.key_terms[:3]) and 3 <= len(theme.key_terms) <= 6
        assert theme.size == theme.assignments.count() > 0
        assert theme.languages == {"en": theme.size}
        assert set(theme.stance) <= {"for", "against", "unclear"} and sum(theme.stance.values()) == theme.size
        assert theme.stance.get("for") and theme.stance.get("against")  # agreement and disagreement both shown
        assert 1 <= theme.examples.count() <= 5 and not theme.examples.filter(confirmed=True).exists()
    # Every response placed once by discovery, campaign copies too (through their representative).
    assert ThemeAssignment.objects.filter(consultation=consultation, source=AssignmentSource.DISCOVERED).count() \
        == consultation.responses_count
    assert Response.objects.filter(consultation=consultation, stance="").count() == 0
    assert AuditEntry.objects.filter(action="consultation.discovery_done").count() == 1


def test_the_same_parameters_give_the_same_themes(hr_lead):
    consultation = make_analysed(hr_lead, seed=5, themes=None)
    first = theme_sets(consultation)
    run = runs.start_discovery(consultation=consultation, parameters={"seed": 5}, by=hr_lead, enqueue=False)
    runs.run_discovery(run=run)
    assert theme_sets(consultation) == first
    assert consultation.themes.count() == len(first)  # the earlier candidates were replaced, not added to


def test_a_campaign_is_one_group_counted_fully_and_read_once(hr_lead):
    consultation = make_analysed(hr_lead, campaign=30)
    campaign = DuplicateGroup.objects.get(consultation=consultation, kind="campaign")
    assert campaign.size == 30 and campaign.representative.text.startswith(CAMPAIGN) and campaign.variants == 6
    members = Response.objects.filter(duplicate_group=campaign)
    assert members.count() == 30 and members.filter(excluded=True).count() == 29
    assert not Response.objects.get(pk=campaign.representative_id).excluded
    exact = DuplicateGroup.objects.get(consultation=consultation, kind="exact")
    assert exact.size == 3
    groups = DuplicateGroup.objects.filter(consultation=consultation)
    assert Response.objects.filter(consultation=consultation, excluded=True).count() == sum(
        group.size - 1 for group in groups)
    # Never proposed as an example more than once, yet all 30 are placed in a theme.
    examples = ThemeExample.objects.filter(theme__consultation=consultation, response__duplicate_group=campaign)
    assert examples.filter(response__excluded=True).count() == 0
    assert ThemeAssignment.objects.filter(response__duplicate_group=campaign).count() == 30


def test_discovery_never_touches_final_themes(hr_lead):
    consultation = make_analysed(hr_lead)
    confirm_first_examples(consultation, hr_lead)
    actions.finalise_themes(consultation=consultation, by=hr_lead)
    finals = {theme.pk: (theme.label, theme.size) for theme in consultation.themes.all()}
    run = runs.start_discovery(consultation=consultation, parameters={"seed": 1, "themes": 3}, by=hr_lead,
                               enqueue=False)
    runs.run_discovery(run=run)
    assert {t.pk: (t.label, t.size) for t in consultation.themes.final()} == finals
    assert consultation.themes.filter(status=ThemeStatus.CANDIDATE).count() == 3


def test_a_failing_run_says_why_and_keeps_the_previous_themes(hr_lead, monkeypatch):
    consultation = make_analysed(hr_lead)
    before = theme_sets(consultation)

    def broken(*args, **kwargs):
        raise MemoryError("out of memory in the test")

    monkeypatch.setattr(themes_engine, "discover_themes", broken)
    run = runs.start_discovery(consultation=consultation, parameters={"seed": 9}, by=hr_lead, enqueue=False)
    runs.run_discovery(run=run)
    run.refresh_from_db()
    assert run.state == "failed" and "themes" in run.message and "out of memory" in run.message
    assert theme_sets(consultation) == before
    assert runs.run_discovery(run=run).state == "failed"  # a second call does nothing


def test_bad_parameters_and_empty_consultations_are_refused(hr_lead):
    empty = make_consultation(hr_lead)
    with pytest.raises(ValidationError, match="no responses"):
        runs.start_discovery(consultation=empty, parameters={}, by=hr_lead)
    consultation = make_consultation(hr_lead)
    make_applied_import(consultation, synthetic_rows(3, campaign=0), by=hr_lead)
    for parameters, field in [({"seed": -1}, "seed"), ({"themes": 1}, "themes"), ({"themes": "5"}, "themes"),
                              ({"colour": "red"}, "parameters")]:
        with pytest.raises(ValidationError) as error:
            runs.start_discovery(consultation=consultation, parameters=parameters, by=hr_lead)
        assert field in error.value.message_dict
    runs.start_discovery(consultation=consultation, parameters={}, by=hr_lead, enqueue=False)
    with pytest.raises(ValidationError, match="already queued"):
        runs.start_discovery(consultation=consultation, parameters={}, by=hr_lead, enqueue=False)
    assert AnalysisRun.objects.filter(consultation=consultation).count() == 1
    # A run whose worker died long ago no longer blocks: it is marked failed and a new one starts.
    AnalysisRun.objects.filter(consultation=consultation).update(
        state="running", created_at=timezone.now() - datetime.timedelta(hours=7))
    runs.start_discovery(consultation=consultation, parameters={}, by=hr_lead, enqueue=False)
    assert list(AnalysisRun.objects.filter(consultation=consultation).values_list("state", flat=True)) == [
        "queued", "failed"]


def test_discovery_writes_in_bulk_not_per_response(hr_lead, django_assert_max_num_queries):
    consultation = make_consultation(hr_lead, yes_no=True)
    make_applied_import(consultation, synthetic_rows(75, campaign=40), by=hr_lead)  # 343 responses
    run = runs.start_discovery(consultation=consultation, parameters={"seed": 0, "themes": 4}, by=hr_lead,
                               enqueue=False)
    # A fixed handful of statements plus (on SQLite) one UPDATE per duplicate group; never one per response.
    with django_assert_max_num_queries(110):
        runs.run_discovery(run=run)
    assert run.state == "done"


def finalised(by, **options):
    consultation = make_analysed(by, **options)
    confirm_first_examples(consultation, by)
    actions.finalise_themes(consultation=consultation, by=by)
    return consultation


def test_assignment_places_every_response_and_queues_the_unsure(hr_lead, django_capture_on_commit_callbacks):
    consultation = finalised(hr_lead)
    consultation.review_threshold = 0.99
    consultation.save(update_fields=["review_threshold"])
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_assignment(consultation=consultation, by=hr_lead)
    run.refresh_from_db()
    assert run.state == "done", run.message
    assert set(run.stage_seconds) == {"load", "assignment", "store"}
    placements = ThemeAssignment.objects.filter(consultation=consultation, source=AssignmentSource.ASSIGNED)
    assert set(placements.values_list("response_id", flat=True)) == set(
        consultation.responses.values_list("pk", flat=True))
    assert not ThemeAssignment.objects.filter(theme__status=ThemeStatus.FINAL,
                                              source=AssignmentSource.DISCOVERED).exists()
    for response_id in consultation.responses.filter(excluded=False).values_list("pk", flat=True):
        rows = list(placements.filter(response_id=response_id).order_by("id"))
        # The response waits once (on its best placement) when its confidence is under the threshold.
        assert [row.needs_review for row in rows] == [rows[0].confidence < 0.99] + [False] * (len(rows) - 1)
    assert runs.review_queue_size(consultation) == len({
        row.response_id for row in placements.filter(response__excluded=False) if row.confidence < 0.99})
    # Copies of a campaign follow their representative and do not crowd the queue.
    assert not placements.filter(response__excluded=True, needs_review=True).exists()
    campaign = DuplicateGroup.objects.get(consultation=consultation, kind="campaign")
    themes_of_representative = set(placements.filter(response=campaign.representative_id).values_list(
        "theme_id", flat=True))
    for member in campaign.members.all():
        assert set(placements.filter(response=member).values_list("theme_id", flat=True)) == themes_of_representative
    for theme in consultation.themes.all():
        assert theme.size == placements.filter(theme=theme).count() == sum(theme.languages.values())
        assert sum(theme.stance.values()) == theme.size  # stance within the theme, from its placed responses


def test_assignment_keeps_reviewed_placements_and_follows_the_threshold(hr_lead):
    consultation = finalised(hr_lead)
    second = consultation.themes.all()[1]
    response = consultation.responses.filter(excluded=False).first()
    actions.review_response(response=response, themes=[second], by=hr_lead)
    consultation.review_threshold = 0.0
    consultation.save(update_fields=["review_threshold"])
    runs.run_assignment(run=runs.start_assignment(consultation=consultation, by=hr_lead, enqueue=False))
    assert not ThemeAssignment.objects.filter(consultation=consultation, needs_review=True).exists()
    kept = ThemeAssignment.objects.get(response=response)
    assert (kept.theme_id, kept.source) == (second.pk, AssignmentSource.REVIEWED)
    consultation.review_threshold = 1.01  # nothing is that sure: every read response waits
    consultation.save(update_fields=["review_threshold"])
    runs.run_assignment(run=runs.start_assignment(consultation=consultation, by=hr_lead, enqueue=False))
    waiting = set(ThemeAssignment.objects.filter(consultation=consultation, needs_review=True)
                  .values_list("response_id", flat=True))
    expected = set(consultation.responses.filter(excluded=False).exclude(pk=response.pk).values_list("pk", flat=True))
    assert waiting == expected


def test_assignment_needs_final_themes_with_confirmed_examples(hr_lead):
    consultation = make_analysed(hr_lead)
    with pytest.raises(ValidationError, match="Finalise"):
        runs.start_assignment(consultation=consultation, by=hr_lead)
    confirm_first_examples(consultation, hr_lead)
    actions.finalise_themes(consultation=consultation, by=hr_lead)
    theme = consultation.themes.first()
    theme.examples.update(confirmed=False)
    with pytest.raises(ValidationError, match="confirmed example"):
        runs.start_assignment(consultation=consultation, by=hr_lead)


def test_assignment_writes_in_bulk(hr_lead, django_assert_max_num_queries):
    consultation = finalised(hr_lead, per_topic=75, campaign=40)
    run = runs.start_assignment(consultation=consultation, by=hr_lead, enqueue=False)
    with django_assert_max_num_queries(40):
        runs.run_assignment(run=run)
    assert run.state == "done"


def test_the_command_runs_discovery_and_assignment_with_timings(hr_lead):
    consultation = finalised(hr_lead)
    out = io.StringIO()
    call_command("analyse_consultation", str(consultation.pk), "--seed", "2", "--themes", "3", "--assign",
                 "--as", hr_lead.user.email, stdout=out)
    text = out.getvalue()
    assert "discovery done" in text and "assignment done" in text and "themes" in text and " s" in text
    assert AnalysisRun.objects.filter(consultation=consultation, state="done").count() == 3
    assert consultation.themes.filter(status=ThemeStatus.CANDIDATE).count() == 3
    assert AuditEntry.objects.filter(action="consultation.discovery_started", actor=hr_lead.user).exists()


def test_the_command_refuses_strangers_and_missing_consultations(hr_lead, outsider):
    consultation = make_analysed(hr_lead)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a member"):
        call_command("analyse_consultation", str(consultation.pk), "--as", outsider.user.email, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No consultation"):
        call_command("analyse_consultation", "999999", stdout=io.StringIO())
    assert Theme.objects.filter(consultation=consultation).count() == 4


def test_the_discovery_task_run_twice_does_the_run_once(hr_lead):
    from ..tasks import analysis as tasks

    consultation = make_consultation(hr_lead)
    make_applied_import(consultation, synthetic_rows(20), by=hr_lead)
    run = runs.start_discovery(consultation=consultation, parameters={"seed": 0}, by=hr_lead, enqueue=False)
    assert tasks.discover_themes_task.call(run_id=run.pk) == RunState.DONE
    first = theme_sets(consultation)
    assert tasks.discover_themes_task.call(run_id=run.pk) == RunState.DONE  # taken already: nothing redone
    assert theme_sets(consultation) == first and first
    assert consultation.themes.filter(run=run).count() == len(first)
    assert tasks.discover_themes_task.call(run_id=10**9) == "missing"


def test_the_assignment_task_run_twice_places_each_response_once(hr_lead):
    from ..tasks import analysis as tasks

    consultation = finalised(hr_lead)
    run = runs.start_assignment(consultation=consultation, by=hr_lead, enqueue=False)
    assert tasks.assign_themes_task.call(run_id=run.pk) == RunState.DONE
    placed = sorted(ThemeAssignment.objects.filter(consultation=consultation, source=AssignmentSource.ASSIGNED)
                    .values_list("response_id", "theme_id", "confidence"))
    assert tasks.assign_themes_task.call(run_id=run.pk) == RunState.DONE
    again = sorted(ThemeAssignment.objects.filter(consultation=consultation, source=AssignmentSource.ASSIGNED)
                   .values_list("response_id", "theme_id", "confidence"))
    assert again == placed and {response for response, _theme, _c in placed} == set(
        consultation.responses.values_list("pk", flat=True))
