"""The analysis pages and the themes API: they render, act through plain posts, never show contacts, and their
query counts do not grow with the number of themes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.risks.tests.factories import make_risk

from ..actions import analysis as runs
from ..actions import themes as actions
from ..models import AnalysisRun, DuplicateGroup, Theme, ThemeAssignment, ThemeStatus
from .synthetic import CAMPAIGN, CONTACT, confirm_first_examples, make_analysed

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(hr_lead):
    return make_analysed(hr_lead, per_topic=25, campaign=12)


def assert_no_personal_data(html: str) -> None:
    assert CONTACT not in html and "@example.org" not in html and "r-privacy-" not in html


def finalise(consultation, by):
    confirm_first_examples(consultation, by)
    actions.finalise_themes(consultation=consultation, by=by)


def test_the_analysis_page_shows_runs_themes_and_charts(analysed, hr_lead, auditor, sign_in):
    for viewer in (hr_lead, auditor):
        response = sign_in(viewer).get(f"/consultations/{analysed.pk}/analysis/")
        assert response.status_code == 200
        html = response.content.decode()
        assert_no_personal_data(html)
        for theme in analysed.themes.all():
            assert theme.label in html
        # Four charts and the stance of all responses, drawn by core.charts (width follows the container).
        assert html.count("<svg") >= 5 and "Stance of all responses" in html
        assert 'class="chart-svg" width="100%"' in html
        assert "Theme sizes as a table" in html and "Organised campaigns and repeated answers" in html
        assert "seed=0" in html and "themes " in html  # a run's parameters and stage timings
        assert ("Run discovery" in html) == (viewer is hr_lead)


def test_the_page_takes_the_same_queries_whatever_the_number_of_themes(analysed, hr_lead, sign_in):
    client = sign_in(hr_lead)
    url = f"/consultations/{analysed.pk}/analysis/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        theme = actions.add_theme(consultation=analysed, label=f"Extra {n}", by=hr_lead)
        actions.add_example(theme=theme, response=analysed.responses.all()[n], by=hr_lead)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    api = f"/api/v1/consultations/{analysed.pk}/themes"
    from rightsloop.accounts.tests.api_client import ApiClient

    token = ApiClient(hr_lead)
    token.get(api)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as listed:
        assert len(token.get(api).json()) == analysed.themes.count()
    actions.add_theme(consultation=analysed, label="One more", by=hr_lead)
    with CaptureQueriesContext(connection) as more:
        token.get(api)
    assert len(more) <= len(listed)  # (the token's use is written at most once a while)


def test_start_discovery_from_the_page(hr_lead, sign_in, django_capture_on_commit_callbacks):
    consultation = make_analysed(hr_lead, per_topic=15, campaign=0)
    client = sign_in(hr_lead)
    url = f"/consultations/{consultation.pk}/analysis/discover/"
    refused = client.post(url, {"seed": "0", "themes": "1"})
    assert refused.status_code == 400 and "Ensure this value is greater than or equal to 2" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"seed": "4", "themes": ""})
    assert started.status_code == 302
    run = AnalysisRun.objects.filter(consultation=consultation).first()
    assert run.state == "done" and run.parameters["seed"] == 4 and run.parameters["themes"] is None


def test_shape_the_themes_through_plain_posts(analysed, hr_lead, auditor, sign_in):
    client = sign_in(hr_lead)
    base = f"/consultations/{analysed.pk}"
    first, second, third = list(analysed.themes.all()[:3])
    assert sign_in(auditor).post(f"{base}/themes/{first.pk}/edit/", {"label": "No"}).status_code == 403
    assert client.post(f"{base}/themes/{first.pk}/edit/", {"label": ""}).status_code == 400
    assert client.post(f"{base}/themes/{first.pk}/edit/", {"label": "Privacy", "description": ""}).status_code == 302
    # Merging asks first: a page that says which themes go, changing nothing; the same post confirmed merges.
    asked = client.post(f"{base}/themes/merge/", {"merge-themes": [first.pk, second.pk], "merge-label": ""})
    assert asked.status_code == 200 and "Merge these themes?" in asked.content.decode()
    assert second.label in asked.content.decode() and Theme.objects.filter(pk=second.pk).exists()
    merged = client.post(f"{base}/themes/merge/", {"merge-themes": [first.pk, second.pk], "merge-label": "",
                                                   "confirmed": "yes"})
    assert merged.status_code == 302 and not Theme.objects.filter(pk=second.pk).exists()
    one = client.post(f"{base}/themes/merge/", {"merge-themes": [first.pk]})
    assert one.status_code == 400 and "at least two" in one.content.decode()
    example = third.examples.first()
    url = f"{base}/themes/{third.pk}/examples/{example.response_id}/"
    assert client.post(url, {"action": "move"}).status_code == 400
    assert client.post(url, {"action": "confirm"}).status_code == 302
    assert client.post(url, {"action": "move", "to": first.pk}).status_code == 302
    assert first.examples.filter(response_id=example.response_id, confirmed=True).exists()
    finalise_refused = client.post(f"{base}/analysis/finalise/")
    assert finalise_refused.status_code == 400 and "Confirm at least one example" in finalise_refused.content.decode()
    added = client.post(f"{base}/themes/add/", {"add-label": "Children", "add-description": ""})
    assert added.status_code == 302
    children = Theme.objects.get(label="Children")
    assert client.post(f"{base}/themes/{children.pk}/delete/").status_code == 302
    split = client.post(f"{base}/themes/{first.pk}/split/", {"parts": "2", "seed": "0"})
    assert split.status_code == 302 and not Theme.objects.filter(pk=first.pk).exists()
    risk = make_risk(hr_lead)
    theme = analysed.themes.first()
    linked = client.post(f"{base}/themes/{theme.pk}/links/", {"risks": [risk.pk], "rights": ["privacy"]})
    assert linked.status_code == 302 and list(theme.risks.all()) == [risk]
    page = client.get(f"{base}/themes/{theme.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and risk.title in html and "Privacy, family, home" in html
    assert_no_personal_data(html)


def test_search_reads_a_bounded_number_of_responses(analysed, hr_lead, sign_in):
    theme = analysed.themes.first()
    word = theme.key_terms[0]
    page = sign_in(hr_lead).get(f"/consultations/{analysed.pk}/themes/{theme.pk}/", {"q": word})
    html = page.content.decode()
    assert page.status_code == 200 and "Add as a confirmed example" in html and "at most 2000" in html
    assert_no_personal_data(html)


def test_campaigns_page_shows_each_group_once_with_its_count(analysed, hr_lead, sign_in):
    html = sign_in(hr_lead).get(f"/consultations/{analysed.pk}/campaigns/").content.decode()
    assert html.count(CAMPAIGN.split("!")[0]) == 1 and "<td>12</td>" in html
    assert_no_personal_data(html)


def test_review_queue_page_and_placing_a_response(analysed, hr_lead, sign_in):
    finalise(analysed, hr_lead)
    analysed.review_threshold = 1.01
    analysed.save(update_fields=["review_threshold"])
    runs.run_assignment(run=runs.start_assignment(consultation=analysed, by=hr_lead, enqueue=False))
    client = sign_in(hr_lead)
    page = client.get(f"/consultations/{analysed.pk}/review/")
    html = page.content.decode()
    assert page.status_code == 200 and "confidence" in html and "Save this placement" in html
    assert_no_personal_data(html)
    waiting = ThemeAssignment.objects.filter(consultation=analysed, needs_review=True).order_by("response_id").first()
    theme = analysed.themes.final().last()
    prefix = f"r{waiting.response_id}"
    placed = client.post(f"/consultations/{analysed.pk}/review/{waiting.response_id}/",
                         {f"{prefix}-themes": [theme.pk], f"{prefix}-make_example": "on", "page": "1"})
    assert placed.status_code == 302 and placed["Location"].endswith("?page=1")
    assert list(ThemeAssignment.objects.filter(response_id=waiting.response_id).values_list(
        "theme_id", "source", "needs_review")) == [(theme.pk, "reviewed", False)]
    bad = client.post(f"/consultations/{analysed.pk}/review/{waiting.response_id}/", {f"{prefix}-themes": ["x"]})
    assert bad.status_code == 400


def test_the_themes_api(analysed, hr_lead, auditor, outsider, api, django_capture_on_commit_callbacks):
    client = api(hr_lead)
    base = f"/api/v1/consultations/{analysed.pk}"
    themes = client.get(f"{base}/themes").json()
    assert len(themes) == analysed.themes.count() and {"label", "size", "stance", "languages"} <= set(themes[0])
    first, second, third = (t["id"] for t in themes[:3])
    detail = client.get(f"{base}/themes/{first}").json()
    assert detail["examples"] and "text" in detail["examples"][0] and "contact" not in str(detail)
    assert client.patch(f"{base}/themes/{first}", {"label": ""}).status_code == 400
    assert client.patch(f"{base}/themes/{first}", {"label": "Renamed"}).json()["label"] == "Renamed"
    bad_merge = client.post(f"{base}/themes/merge", {"theme_ids": [first, 999999]})
    assert bad_merge.status_code == 400 and "theme_ids" in bad_merge.json()["errors"]
    assert client.post(f"{base}/themes/merge", {"theme_ids": [first, second]}).status_code == 200
    response_id = detail["examples"][0]["response_id"]
    moved = client.post(f"{base}/themes/{first}/examples/{response_id}", {"action": "move", "to_theme_id": third})
    assert moved.status_code == 200 and moved.json()["id"] == third
    no_target = client.post(f"{base}/themes/{third}/examples/{response_id}", {"action": "move"})
    assert no_target.status_code == 400
    added = client.post(f"{base}/themes", {"label": "Added"})
    assert added.status_code == 201
    deleted = client.client.delete(f"{base}/themes/{added.json()['id']}",
                                   HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert deleted.status_code == 204
    split = client.post(f"{base}/themes/{third}/split", {"parts": 2})
    assert split.status_code == 200 and len(split.json()) == 2
    assert client.post(f"{base}/themes/{split.json()[0]['id']}/split", {}).status_code == 400
    own, foreign = make_risk(hr_lead), make_risk(outsider)
    theme = split.json()[0]["id"]
    assert client.put(f"{base}/themes/{theme}/links", {"risk_ids": [foreign.pk]}).status_code == 400
    linked = client.put(f"{base}/themes/{theme}/links", {"risk_ids": [own.pk], "rights": ["privacy"]}).json()
    assert linked["risk_ids"] == [own.pk] and linked["rights"] == ["privacy"]
    search = client.get(f"{base}/themes/{theme}/search", {"q": "the", "everywhere": "true"}).json()
    assert search["limit"] == 2000 and search["looked_at"] > 0
    assert client.post(f"{base}/themes/finalise").status_code == 400
    assert client.post(f"{base}/analysis/assignment", {}).status_code == 400
    confirm_first_examples(analysed, hr_lead)
    assert client.post(f"{base}/themes/finalise").json()["finalised"] == analysed.themes.count()
    analysed.review_threshold = 1.01
    analysed.save(update_fields=["review_threshold"])
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{base}/analysis/assignment", {"seed": 0})
    assert started.status_code == 202
    runs_listed = client.get(f"{base}/analysis/runs").json()
    assert runs_listed["items"][0]["state"] == "done" and runs_listed["items"][0]["stage_seconds"]
    queue = client.get(f"{base}/review").json()
    assert queue["count"] > 0 and queue["items"][0]["suggestions"]
    waiting = queue["items"][0]["id"]
    final = analysed.themes.final().first().pk
    assert client.post(f"{base}/review/{waiting}", {"theme_ids": [theme]}).status_code in (200, 400)
    placed = client.post(f"{base}/review/{waiting}", {"theme_ids": [final], "make_example": True})
    assert placed.status_code == 200 and placed.json()["placements"][0]["source"] == "reviewed"
    groups = client.get(f"{base}/duplicate-groups").json()
    assert groups["items"][0]["kind"] == "campaign" and groups["items"][0]["size"] == 12
    assert groups["items"][0]["text"].startswith(CAMPAIGN)
    # Bad input and other people's consultations.
    assert client.post(f"{base}/analysis/discovery", {"themes": 1}).status_code == 400
    assert client.post(f"{base}/analysis/discovery", {"seed": 1}).status_code == 202
    assert api(outsider).get(f"{base}/themes").status_code == 404
    assert api(auditor).get(f"{base}/themes").status_code == 200
    assert api(auditor).post(f"{base}/themes", {"label": "No"}).status_code == 403
    assert DuplicateGroup.objects.filter(consultation=analysed).exists()
    assert Theme.objects.filter(consultation=analysed, status=ThemeStatus.FINAL).exists()
