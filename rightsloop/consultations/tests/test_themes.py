"""The analyst shapes the theme set: merge, split, delete, add, examples, finalise, links, review."""

import pytest
from django.core.exceptions import ValidationError

from rightsloop.core.models import AuditEntry
from rightsloop.risks.tests.factories import make_risk

from ..actions import analysis as runs
from ..actions import themes as actions
from ..models import AssignmentSource, DuplicateGroup, Theme, ThemeAssignment, ThemeExample, ThemeStatus
from .synthetic import confirm_first_examples, make_analysed

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(hr_lead):
    return make_analysed(hr_lead, per_topic=30, campaign=12)


def members(theme):
    return set(theme.assignments.values_list("response_id", flat=True))


def test_rename_and_add(analysed, hr_lead):
    theme = analysed.themes.first()
    actions.rename_theme(theme=theme, label="  Scanning and privacy ", description="Client-side scanning",
                         by=hr_lead)
    theme.refresh_from_db()
    assert (theme.label, theme.description) == ("Scanning and privacy", "Client-side scanning")
    with pytest.raises(ValidationError) as error:
        actions.rename_theme(theme=theme, label=" ", by=hr_lead)
    assert "label" in error.value.message_dict
    added = actions.add_theme(consultation=analysed, label="Children's safety", by=hr_lead)
    assert added.status == ThemeStatus.CANDIDATE and added.size == 0
    assert added.position > max(t.position for t in analysed.themes.exclude(pk=added.pk))
    assert AuditEntry.objects.filter(action__in=["consultation.theme_renamed", "consultation.theme_added"]).count() == 2


def test_merge_moves_placements_and_examples(analysed, hr_lead):
    first, second, third = list(analysed.themes.all()[:3])
    expected = members(first) | members(second) | members(third)
    examples = set(ThemeExample.objects.filter(theme__in=[first, second, third]).values_list("response_id", flat=True))
    # A response in two of them (multi-label) ends up once in the merged theme.
    shared = next(iter(members(second)))
    ThemeAssignment.objects.create(consultation=analysed, response_id=shared, theme=first, source="discovered")
    merged = actions.merge_themes(themes=[first, second, third], label="Merged", by=hr_lead)
    assert merged.pk == first.pk and merged.label == "Merged"
    assert members(merged) == expected and merged.size == len(expected)
    assert merged.assignments.count() == len(expected)
    assert set(merged.examples.values_list("response_id", flat=True)) == examples
    assert not Theme.objects.filter(pk__in=[second.pk, third.pk]).exists()
    assert sum(merged.stance.values()) == sum(merged.languages.values())
    with pytest.raises(ValidationError):
        actions.merge_themes(themes=[merged], by=hr_lead)


def test_split_by_discovery_and_by_examples(analysed, hr_lead):
    theme = max(analysed.themes.all(), key=lambda t: t.size)
    before = members(theme)
    parts = actions.split_theme(theme=theme, parts=2, seed=1, by=hr_lead)
    assert len(parts) == 2 and not Theme.objects.filter(pk=theme.pk).exists()
    assert set().union(*(members(part) for part in parts)) == before
    assert all(part.status == ThemeStatus.CANDIDATE and part.examples.exists() for part in parts)
    assert sum(part.size for part in parts) == len(before)

    whole = max(parts, key=lambda t: t.size)
    responses = list(analysed.responses.filter(pk__in=members(whole), excluded=False).order_by("pk")[:4])
    chosen = actions.split_theme_by_examples(
        theme=whole, parts=[("Part A", responses[:2]), ("Part B", responses[2:])], by=hr_lead)
    assert [part.label for part in chosen] == ["Part A", "Part B"]
    assert set(chosen[0].examples.filter(confirmed=True).values_list("response_id", flat=True)) == {
        r.pk for r in responses[:2]}
    assert responses[2].pk in members(chosen[1])
    with pytest.raises(ValidationError):
        actions.split_theme(theme=chosen[0], parts=1, by=hr_lead)
    with pytest.raises(ValidationError):
        actions.split_theme_by_examples(theme=chosen[0], parts=[("Only", responses[:1])], by=hr_lead)


def test_delete_sends_responses_to_other_once_final(analysed, hr_lead):
    candidate = analysed.themes.first()
    actions.delete_theme(theme=candidate, by=hr_lead)
    assert not ThemeAssignment.objects.filter(theme__isnull=True).exists()  # a candidate's placements just go
    confirm_first_examples(analysed, hr_lead)
    actions.finalise_themes(consultation=analysed, by=hr_lead)
    final = analysed.themes.first()
    held = members(final)
    actions.delete_theme(theme=final, by=hr_lead)
    assert set(ThemeAssignment.objects.filter(consultation=analysed, theme__isnull=True)
               .values_list("response_id", flat=True)) == held


def test_examples_confirm_move_remove(analysed, hr_lead):
    first, second = list(analysed.themes.all()[:2])
    example = first.examples.first()
    response = example.response
    actions.confirm_example(theme=first, response=response, by=hr_lead)
    assert ThemeExample.objects.get(pk=example.pk).confirmed
    actions.confirm_example(theme=first, response=response, confirmed=False, by=hr_lead)
    assert not ThemeExample.objects.get(pk=example.pk).confirmed
    size = second.size
    actions.move_example(theme=first, response=response, to=second, by=hr_lead)
    moved = ThemeExample.objects.get(pk=example.pk)
    assert moved.theme_id == second.pk and moved.confirmed
    placement = ThemeAssignment.objects.get(response=response)
    assert (placement.theme_id, placement.source) == (second.pk, AssignmentSource.REVIEWED)
    second.refresh_from_db()
    assert second.size == size + 1
    with pytest.raises(ValidationError):
        actions.move_example(theme=second, response=response, to=second, by=hr_lead)
    actions.remove_example(theme=second, response=response, by=hr_lead)
    assert not ThemeExample.objects.filter(pk=example.pk).exists()
    with pytest.raises(ValidationError):
        actions.confirm_example(theme=second, response=response, by=hr_lead)
    added = actions.add_example(theme=first, response=response, by=hr_lead)
    assert added.confirmed and added.confirmed_by == hr_lead.user


def test_finalise_needs_a_confirmed_example_in_every_theme(analysed, hr_lead):
    with pytest.raises(ValidationError, match="Confirm at least one example"):
        actions.finalise_themes(consultation=analysed, by=hr_lead)
    assert not analysed.themes.final().exists()
    confirm_first_examples(analysed, hr_lead, count=1)
    empty = actions.add_theme(consultation=analysed, label="Empty", by=hr_lead)
    with pytest.raises(ValidationError, match="Empty"):
        actions.finalise_themes(consultation=analysed, by=hr_lead)
    actions.delete_theme(theme=empty, by=hr_lead)
    count = actions.finalise_themes(consultation=analysed, by=hr_lead)
    analysed.refresh_from_db()
    assert count == analysed.themes.count() and analysed.themes_final_at is not None
    assert not analysed.themes.filter(status=ThemeStatus.CANDIDATE).exists()


def test_links_to_risks_of_the_same_organisation_and_known_rights(analysed, hr_lead, outsider):
    theme = analysed.themes.first()
    ours, theirs = make_risk(hr_lead), make_risk(outsider)
    actions.link_risks(theme=theme, risk_ids=[ours.pk], by=hr_lead)
    assert list(theme.risks.all()) == [ours]
    with pytest.raises(ValidationError) as error:
        actions.link_risks(theme=theme, risk_ids=[ours.pk, theirs.pk], by=hr_lead)
    assert "risks" in error.value.message_dict
    assert list(theme.risks.all()) == [ours]
    actions.link_rights(theme=theme, codes=["privacy", "freedom_of_expression"], by=hr_lead)
    assert Theme.objects.get(pk=theme.pk).rights == ["privacy", "freedom_of_expression"]
    with pytest.raises(ValidationError):
        actions.link_rights(theme=theme, codes=["right_to_wifi"], by=hr_lead)


def test_reviewing_a_representative_places_its_whole_group(analysed, hr_lead):
    confirm_first_examples(analysed, hr_lead)
    actions.finalise_themes(consultation=analysed, by=hr_lead)
    runs.run_assignment(run=runs.start_assignment(consultation=analysed, by=hr_lead, enqueue=False))
    group = DuplicateGroup.objects.get(consultation=analysed, kind="campaign")
    target = analysed.themes.last()
    actions.review_response(response=group.representative, themes=[target], make_example=True, by=hr_lead)
    placed = ThemeAssignment.objects.filter(response__duplicate_group=group)
    assert placed.count() == group.size and set(placed.values_list("theme_id", flat=True)) == {target.pk}
    assert placed.get(response=group.representative).source == AssignmentSource.REVIEWED
    assert ThemeExample.objects.get(theme=target, response=group.representative).confirmed
    other = analysed.responses.filter(excluded=False, duplicate_group__isnull=True).first()
    actions.review_response(response=other, themes=[], by=hr_lead)
    assert list(other.assignments.values_list("theme_id", "needs_review")) == [(None, False)]
    candidate = actions.add_theme(consultation=analysed, label="Candidate", by=hr_lead)
    with pytest.raises(ValidationError):
        actions.review_response(response=other, themes=[candidate], by=hr_lead)


def test_a_decided_theme_is_never_merged_away_split_or_deleted(analysed, hr_lead, admin):
    from ..actions.outcomes import decide_theme

    confirm_first_examples(analysed, hr_lead)
    actions.finalise_themes(consultation=analysed, by=hr_lead)
    decided, other = list(analysed.themes.all()[:2])
    decide_theme(theme=decided, outcome="adopted", by=admin)
    for attempt in (lambda: actions.delete_theme(theme=decided, by=hr_lead),
                    lambda: actions.split_theme(theme=decided, parts=2, by=hr_lead),
                    lambda: actions.merge_themes(themes=[other, decided], by=hr_lead)):
        with pytest.raises(ValidationError, match="decision was recorded"):
            attempt()
    assert Theme.objects.filter(pk=decided.pk).exists()
    merged = actions.merge_themes(themes=[decided, other], by=hr_lead)  # folding others into it is fine
    assert merged.pk == decided.pk and merged.decisions.count() == 1
