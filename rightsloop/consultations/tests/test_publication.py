"""Never publish a machine's words as ours (issue 16): a theme reaches the public page, open data and messages only
under a label a person wrote or confirmed, its stance counts only once reviewed; a rolled-back import leaves no
trace in any count; and rolling back asks first, on a page that says what will be lost."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from rightsloop.core.models import AuditEntry

from .. import loop, public_data
from ..actions import analysis as analysis_actions
from ..actions import consultations as consultation_actions
from ..actions import imports as import_actions
from ..actions import themes as actions
from ..models import ImportState, Response, Theme
from .factories import make_applied_import, make_consultation, make_final_theme

pytestmark = pytest.mark.django_db

MACHINE = "honestly groomers, behind, children pay"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def machine_theme(consultation, responses=()):
    """A final theme as discovery left it: labelled with its key terms, nobody has confirmed a thing."""
    return make_final_theme(consultation, MACHINE, responses, confirmed=False, stance_reviewed=False)


def open_data(consultation):
    start = consultation.engagement.starts_on
    return public_data.responses_by_theme(consultation.organisation, start, start + datetime.timedelta(days=1))


def with_stance(consultation, rows):
    make_applied_import(consultation, rows)
    return list(consultation.responses.order_by("response_import_id", "line"))


# Label confirmation and stance review --------------------------------------------------------------------------

def test_renaming_or_confirming_records_who_made_the_label_theirs_and_when(hr_lead):
    consultation = make_consultation(hr_lead, yes_no=True)
    theme = machine_theme(consultation)
    assert not theme.label_confirmed and not theme.stance_reviewed
    actions.confirm_label(theme=theme, by=hr_lead)
    theme.refresh_from_db()
    assert theme.label == MACHINE and theme.label_confirmed_by == hr_lead.user and theme.label_confirmed_at
    other = machine_theme(consultation)
    actions.rename_theme(theme=other, label="Keeping children safe", by=hr_lead)
    other.refresh_from_db()
    assert other.label_confirmed_by == hr_lead.user and other.label_confirmed_at
    actions.review_stance(theme=theme, by=hr_lead)
    theme.refresh_from_db()
    assert theme.stance_reviewed_by == hr_lead.user and theme.stance_reviewed
    actions.review_stance(theme=theme, reviewed=False, by=hr_lead)
    theme.refresh_from_db()
    assert not theme.stance_reviewed and theme.stance_reviewed_by is None
    assert set(AuditEntry.objects.filter(target_type="consultations.theme").values_list("action", flat=True)) >= {
        "consultation.theme_label_confirmed", "consultation.theme_renamed", "consultation.theme_stance_reviewed",
        "consultation.theme_stance_unreviewed"}


def test_there_is_no_stance_to_review_in_an_open_question(hr_lead):
    theme = machine_theme(make_consultation(hr_lead, yes_no=False))
    with pytest.raises(ValidationError, match="no stance to review"):
        actions.review_stance(theme=theme, by=hr_lead)


def test_a_merge_keeps_a_review_mark_only_when_every_part_was_reviewed(hr_lead):
    consultation = make_consultation(hr_lead, yes_no=True)
    reviewed = make_final_theme(consultation, "Reviewed")
    unreviewed = make_final_theme(consultation, "Not reviewed", stance_reviewed=False)
    merged = actions.merge_themes(themes=[reviewed, unreviewed], by=hr_lead)
    merged.refresh_from_db()
    assert not merged.stance_reviewed and merged.label_confirmed


def test_publishing_is_refused_while_a_final_theme_has_a_machine_label(hr_lead):
    consultation = make_consultation(hr_lead)
    theme = machine_theme(consultation)
    make_final_theme(consultation, "Written by the analyst")
    with pytest.raises(ValidationError, match="Confirm or rewrite the label") as refused:
        consultation_actions.change_settings(consultation=consultation, published=True, by=hr_lead)
    assert MACHINE in str(refused.value)
    consultation.refresh_from_db()
    assert not consultation.published
    actions.confirm_label(theme=theme, by=hr_lead)
    consultation_actions.change_settings(consultation=consultation, published=True, by=hr_lead)
    consultation.refresh_from_db()
    assert consultation.published


def test_the_settings_page_and_the_api_say_why_publishing_is_refused(hr_lead, sign_in, api):
    consultation = make_consultation(hr_lead)
    theme = machine_theme(consultation)
    page = sign_in(hr_lead).post(f"/consultations/{consultation.pk}/settings/",
                                 {"published": "on", "review_threshold": "0.5"})
    assert page.status_code == 400 and "Confirm or rewrite the label" in page.content.decode()
    refused = api(hr_lead).patch(f"/api/v1/consultations/{consultation.pk}", {"published": True})
    assert refused.status_code == 400 and "Confirm or rewrite the label" in refused.content.decode()
    base = f"/api/v1/consultations/{consultation.pk}/themes/{theme.pk}"
    confirmed = api(hr_lead).patch(base, {"label_confirmed": True})
    assert confirmed.status_code == 200 and confirmed.json()["label_confirmed_at"]
    assert confirmed.json()["label"] == MACHINE
    assert api(hr_lead).patch(f"/api/v1/consultations/{consultation.pk}", {"published": True}).status_code == 200


def test_the_theme_page_confirms_the_label_and_marks_the_stance_reviewed(hr_lead, auditor, sign_in):
    consultation = make_consultation(hr_lead, yes_no=True)
    theme = machine_theme(consultation)
    client = sign_in(hr_lead)
    url = f"/consultations/{consultation.pk}/themes/{theme.pk}/"
    page = client.get(url).content.decode()
    assert "proposed by the analysis, not confirmed" in page and "Confirm this label" in page
    assert client.post(url + "edit/", {"do": "confirm-label"}).status_code == 302
    assert client.post(url + "edit/", {"do": "review-stance"}).status_code == 302
    theme.refresh_from_db()
    assert theme.label_confirmed and theme.stance_reviewed
    assert "Take back the review mark" in client.get(url).content.decode()
    assert sign_in(auditor).post(url + "edit/", {"do": "unreview-stance"}).status_code == 403


# The public page, open data and messages ------------------------------------------------------------------------

def test_the_public_page_never_shows_an_unconfirmed_label_nor_unreviewed_stance(hr_lead):
    consultation = make_consultation(hr_lead, yes_no=True)
    responses = with_stance(consultation, [{"text": "a", "stance": "for"}, {"text": "b", "stance": "against"},
                                           {"text": "c", "stance": "unclear"}])
    unconfirmed = machine_theme(consultation, responses[:1])
    unreviewed = make_final_theme(consultation, "Encryption as a right", responses[1:], stance_reviewed=False)
    for theme in (unconfirmed, unreviewed):
        theme.stance = {"for": 1, "against": 53, "unclear": 7}
        theme.save(update_fields=["stance"])
    # Published before the machine theme was made final (or by an older version): the page still holds it back.
    consultation.published = True
    consultation.save(update_fields=["published"])
    page = Client().get(f"/c/{consultation.public_token}/").content.decode()
    assert "Encryption as a right" in page
    assert MACHINE not in page and "groomers" not in page
    assert "53 against" not in page and "1 for" not in page
    assert "One more theme is still being reviewed" in page
    assert [row["theme"] for row in open_data(consultation)] == [f"{consultation.pk}:{unreviewed.pk}"]
    assert public_data.label("theme", f"{consultation.pk}:{unconfirmed.pk}") == f"{consultation.pk}:{unconfirmed.pk}"
    assert any("Confirm or rewrite the label" in blocker for blocker in loop.sending_blockers(consultation))

    actions.review_stance(theme=unreviewed, by=hr_lead)
    page = Client().get(f"/c/{consultation.public_token}/").content.decode()
    assert "53 against" in page and "1 for" in page and "7 unclear" in page
    assert MACHINE not in page


# Rolling back: every count follows ------------------------------------------------------------------------------

def two_imports(hr_lead):
    """A yes/no consultation with two imported files, analysed into two final themes, and published."""
    consultation = make_consultation(hr_lead, yes_no=True)
    kept = make_applied_import(consultation, [
        {"text": "keep one", "respondent": "k1", "stance": "for", "language": "en"},
        {"text": "keep two", "respondent": "k2", "stance": "against", "language": "en"}])
    mistaken = make_applied_import(consultation, [
        {"text": "wrong one", "respondent": "w1", "stance": "against", "language": "fr"},
        {"text": "wrong two", "respondent": "w2", "stance": "against", "language": "fr"},
        {"text": "wrong three", "respondent": "w3", "stance": "unclear", "language": "fr"}])
    ours = list(Response.objects.filter(response_import=kept).order_by("line"))
    theirs = list(Response.objects.filter(response_import=mistaken).order_by("line"))
    both = make_final_theme(consultation, "Privacy matters", ours + theirs[:2])
    only_theirs = make_final_theme(consultation, "Cost of the change", theirs[2:])
    analysis_actions.refresh_profiles(consultation, [both.pk, only_theirs.pk])
    consultation.published = True
    consultation.save(update_fields=["published"])
    Theme.objects.filter(pk=both.pk).update(stance_reviewed_at=both.created_at)
    return consultation, kept, mistaken, both, only_theirs


def test_a_rollback_recounts_theme_sizes_stance_and_the_public_figures(hr_lead, django_capture_on_commit_callbacks):
    consultation, _kept, mistaken, both, only_theirs = two_imports(hr_lead)
    before = Client().get(f"/c/{consultation.public_token}/").content.decode()
    assert "French (3)" in before and "<dt>Responses</dt><dd>5</dd>" in before  # the language counts are cached
    both.refresh_from_db()
    assert both.size == 4 and both.stance == {"for": 1, "against": 3}

    with django_capture_on_commit_callbacks(execute=True):  # the cached language counts are dropped on commit
        import_actions.rollback_import(response_import=mistaken, by=hr_lead, background=False)

    mistaken.refresh_from_db()
    assert mistaken.state == ImportState.ROLLED_BACK
    both.refresh_from_db()
    only_theirs.refresh_from_db()
    assert (both.size, both.stance, both.languages) == (2, {"for": 1, "against": 1}, {"en": 2})
    assert (only_theirs.size, only_theirs.stance) == (0, {})
    page = Client().get(f"/c/{consultation.public_token}/").content.decode()
    assert "<dt>Responses</dt><dd>2</dd>" in page and "<dt>Respondents</dt><dd>2</dd>" in page
    assert "French" not in page and "English (2)" in page
    assert "2 responses" in page and "4 responses" not in page and "3 against" not in page
    assert [row["responses"] for row in open_data(consultation)
            if row["theme"] == f"{consultation.pk}:{both.pk}"] == [2]


# Asking first ------------------------------------------------------------------------------------------------

def test_the_rollback_page_says_what_will_be_lost_and_changes_nothing(hr_lead, auditor, sign_in,
                                                                      django_capture_on_commit_callbacks):
    consultation, _kept, mistaken, both, _only_theirs = two_imports(hr_lead)
    client = sign_in(hr_lead)
    url = f"/consultations/{consultation.pk}/imports/{mistaken.pk}/rollback/"
    detail = client.get(f"/consultations/{consultation.pk}/imports/{mistaken.pk}/").content.decode()
    assert f'href="{url}"' in detail and f'action="{url}"' not in detail  # a link to ask first, not a button
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "All 3 responses from this file are deleted" in page
    assert "3 respondents who answered only in this file are deleted" in page
    assert "its figures (responses, respondents, theme sizes, languages) change" in page
    assert "Privacy matters" in page and "Cost of the change" in page and "left empty" in page
    privacy_row = re.search(r"Privacy matters.*?</tr>", page, re.S).group(0)
    assert re.findall(r"<td>(\d+)", privacy_row) == ["4", "2"]
    assert f'action="{url}"' in page and "Delete 3 responses and roll back" in page
    mistaken.refresh_from_db()
    assert mistaken.state == ImportState.APPLIED and consultation.responses.count() == 5
    assert not AuditEntry.objects.filter(action="consultation.import.rollback").exists()
    assert sign_in(auditor).get(url).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)
    assert done.status_code == 302
    mistaken.refresh_from_db()
    both.refresh_from_db()
    assert mistaken.state == ImportState.ROLLED_BACK and consultation.responses.count() == 2 and both.size == 2
    # Once rolled back, there is nothing left to ask about.
    again = client.get(url)
    assert again.status_code == 302 and again["Location"].endswith(f"/imports/{mistaken.pk}/")


def test_the_rollback_page_says_so_when_respondents_were_already_told(hr_lead, sign_in):
    from ..models import MessageRun

    consultation, _kept, mistaken, *_ = two_imports(hr_lead)
    MessageRun.objects.create(consultation=consultation)
    page = sign_in(hr_lead).get(f"/consultations/{consultation.pk}/imports/{mistaken.pk}/rollback/")
    text = page.content.decode()
    assert "can no longer be rolled back" in text and "Delete 3 responses" not in text


def test_deleting_a_theme_asks_first_and_says_what_goes(hr_lead, sign_in):
    consultation, _kept, _mistaken, both, only_theirs = two_imports(hr_lead)
    spare = make_final_theme(consultation, "Spare", list(consultation.responses.order_by("id")[:1]))
    client = sign_in(hr_lead)
    url = f"/consultations/{consultation.pk}/themes/{spare.pk}/delete/"
    assert f'href="{url}"' in client.get(f"/consultations/{consultation.pk}/themes/{spare.pk}/").content.decode()
    page = client.get(url).content.decode()
    # Its one response is also in "Privacy matters": it does not go to "other".
    assert "1 response is placed in this theme." in page and "0 of them no other theme holds" in page
    assert "Delete the theme" in page and f'action="{url}"' in page
    assert Theme.objects.filter(pk=spare.pk).exists()
    assert client.post(url).status_code == 302
    assert not Theme.objects.filter(pk=spare.pk).exists()
    from ..actions import outcomes

    outcomes.decide_theme(theme=only_theirs, outcome="adopted", rationale="", by=hr_lead)
    decided = client.get(f"/consultations/{consultation.pk}/themes/{only_theirs.pk}/delete/").content.decode()
    assert "cannot be deleted" in decided and 'class="danger"' not in decided
    assert Theme.objects.filter(pk=both.pk).exists()


def test_the_api_says_what_a_rollback_would_remove_and_changes_nothing(hr_lead, auditor, api):
    consultation, _kept, mistaken, both, only_theirs = two_imports(hr_lead)
    url = f"/api/v1/consultations/{consultation.pk}/imports/{mistaken.pk}/rollback"
    preview = api(hr_lead).get(url)
    assert preview.status_code == 200
    body = preview.json()
    assert (body["responses"], body["respondents"], body["published"], body["published_changes"],
            body["messages_sent"]) == (3, 3, True, True, False)
    assert {(row["theme_id"], row["before"], row["after"]) for row in body["themes"]} == {
        (both.pk, 4, 2), (only_theirs.pk, 1, 0)}
    mistaken.refresh_from_db()
    assert mistaken.state == ImportState.APPLIED and consultation.responses.count() == 5
    assert api(auditor).get(url).status_code == 403
