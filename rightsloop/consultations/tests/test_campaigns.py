"""What is coordinated and what is not: organised campaigns (a template with its senders' edits) are told apart from
identical answers on the analyst's pages, in the API, in stored runs (migration 0007) and on the public page."""

import importlib
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client, override_settings

from ..models import DuplicateGroup, DuplicateKind
from .factories import make_applied_import, make_consultation, make_final_theme
from .synthetic import CAMPAIGN, make_analysed

pytestmark = pytest.mark.django_db
relabel = importlib.import_module("rightsloop.consultations.migrations.0007_identical_answers_are_not_campaigns")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def analysed(hr_lead):
    # 12 edited copies of the campaign template and three identical answers (synthetic_rows).
    return make_analysed(hr_lead, per_topic=15, campaign=12)


def groups_by_kind(consultation) -> dict[str, list[DuplicateGroup]]:
    found: dict[str, list[DuplicateGroup]] = {}
    for group in consultation.duplicate_groups.all():
        found.setdefault(group.kind, []).append(group)
    return found


def test_discovery_stores_campaigns_with_their_variants_and_identical_answers_apart(analysed):
    kinds = groups_by_kind(analysed)
    [campaign] = kinds[DuplicateKind.CAMPAIGN]
    assert (campaign.size, campaign.variants) == (12, 6)
    identical = [group for group in kinds[DuplicateKind.EXACT] if group.size == 3]
    assert len(identical) == 1 and identical[0].variants == 1


def test_the_analyst_pages_and_api_name_campaigns_and_identical_answers(analysed, hr_lead, sign_in, api):
    client = sign_in(hr_lead)
    html = client.get(f"/consultations/{analysed.pk}/campaigns/").content.decode()
    # One row is the campaign; the three identical answers (and the topic repeats) never carry the word.
    assert html.count("<td>Organised campaign</td>") == 1 and "<td>Identical answers</td>" in html
    assert "<td>12</td><td>6</td>" in html
    analysis = client.get(f"/consultations/{analysed.pk}/analysis/").content.decode()
    assert "Organised campaign: Stop the plan" in analysis and "Identical answers: Accessibility" in analysis
    items = api(hr_lead).get(f"/api/v1/consultations/{analysed.pk}/duplicate-groups").json()["items"]
    by_kind = {item["kind"]: item for item in items if item["size"] in (12, 3)}
    assert by_kind["campaign"]["label"] == "Organised campaign" and by_kind["campaign"]["variants"] == 6
    assert by_kind["exact"]["label"] == "Identical answers" and by_kind["exact"]["variants"] == 1


def test_stored_groups_of_identical_answers_are_no_longer_campaigns_after_migration(hr_lead):
    # Twelve copies of "I agree" were an organised campaign under the old rule (any group of ten or more).
    consultation = make_consultation(hr_lead)
    rows = [{"text": "I agree" if n % 2 else "I AGREE!", "respondent": f"a{n}"} for n in range(12)]
    rows += [{"text": f"{CAMPAIGN} From town {n % 4}.", "respondent": f"c{n}"} for n in range(11)]
    make_applied_import(consultation, rows, by=hr_lead)
    run = consultation.runs.create(kind="discovery", state="done")
    responses = list(consultation.responses.order_by("line"))
    old = []
    for members in (responses[:12], responses[12:]):
        group = DuplicateGroup.objects.create(consultation=consultation, run=run, kind="campaign", size=len(members),
                                              representative=members[0])
        consultation.responses.filter(pk__in=[r.pk for r in members]).update(duplicate_group=group)
        old.append(group)
    near = DuplicateGroup.objects.create(consultation=consultation, run=run, kind="near", size=0,
                                         representative=responses[0])  # a group left without members: untouched

    relabel.forwards(apps, None)

    agree, template = (DuplicateGroup.objects.get(pk=group.pk) for group in old)
    assert (agree.kind, agree.variants) == (DuplicateKind.EXACT, 1)
    assert (template.kind, template.variants) == (DuplicateKind.CAMPAIGN, 4)
    assert DuplicateGroup.objects.get(pk=near.pk).kind == "near"


# The public page ------------------------------------------------------------------------------------------------

def published_with_campaigns(by, *, campaigns=((8000, 240),), identical=(5000,), responses_count=20000):
    """A published consultation with stored groups: campaigns (size, variants) and identical answers (size)."""
    consultation = make_consultation(by, question="Should messages be encrypted by default?")
    make_applied_import(consultation, [{"text": f"response {n}", "respondent": f"r{n}"} for n in range(4)], by=by)
    responses = list(consultation.responses.order_by("line"))
    privacy = make_final_theme(consultation, "Privacy matters", responses[:2])
    make_final_theme(consultation, "Cost of the change", responses[2:])
    run = consultation.runs.create(kind="discovery", state="done")
    for (size, variants), representative in zip(campaigns, responses, strict=False):
        DuplicateGroup.objects.create(consultation=consultation, run=run, kind=DuplicateKind.CAMPAIGN, size=size,
                                      variants=variants, representative=representative)
    for size in identical:
        DuplicateGroup.objects.create(consultation=consultation, run=run, kind=DuplicateKind.EXACT, size=size,
                                      representative=responses[3])
    consultation.published = True
    consultation.responses_count = responses_count
    consultation.save(update_fields=["published", "responses_count"])
    return consultation, privacy


def test_the_public_page_discloses_a_campaign_apart_from_the_themes(hr_lead):
    consultation, _privacy = published_with_campaigns(hr_lead)
    page = Client().get(f"/c/{consultation.public_token}/").content.decode()
    section = page[page.index('id="campaigns-h"'):page.index("What we heard, theme by theme")]
    assert "One campaign of 8,000 near-identical responses" in section
    assert "8,000 responses (40.0% of all) came from it." in section
    assert "counted under: Privacy matters" in section and "Cost of the change" not in section
    assert "counts once in the themes below" in section
    # Identical answers are not disclosed as a campaign, and nothing of a response's text is shown.
    assert "5,000" not in page and "response 0" not in page


def test_several_campaigns_are_counted_and_shown_largest_first(hr_lead):
    consultation, _privacy = published_with_campaigns(hr_lead, campaigns=((300, 20), (1200, 90)))
    page = Client().get(f"/c/{consultation.public_token}/").content.decode()
    assert "from 2 organised campaigns" in page and "1,500 responses (7.5% of all) came from them." in page
    assert page.index("One campaign of 1,200") < page.index("One campaign of 300")


def test_no_campaign_section_without_campaigns(hr_lead):
    consultation, _privacy = published_with_campaigns(hr_lead, campaigns=())
    page = Client().get(f"/c/{consultation.public_token}/").content.decode()
    assert "campaigns-h" not in page and "organised campaign" not in page.lower()


def test_the_campaign_section_speaks_the_page_language_with_its_number_formats(hr_lead):
    consultation, _privacy = published_with_campaigns(hr_lead)
    page = Client().get(f"/c/{consultation.public_token}/?lang=fr").content.decode()
    section = page[page.index('id="campaigns-h"'):]
    assert re.search(r"8\s000|8&nbsp;000|8\u202f000|8\u00a0000", section), section[:600]
    assert "8,000" not in section


def test_an_end_to_end_analysis_is_disclosed_on_the_public_page(analysed):
    analysed.published = True
    analysed.save(update_fields=["published"])
    page = Client().get(f"/c/{analysed.public_token}/").content.decode()
    assert "One campaign of 12 near-identical responses" in page
    assert CAMPAIGN.split("!")[0] not in page  # never the campaign's text: a sender's edits can name them


def test_the_public_page_with_campaigns_stays_small_script_free_and_right_to_left_ready(hr_lead):
    many = tuple((1000 + n, 10) for n in range(4))
    consultation, _privacy = published_with_campaigns(hr_lead, campaigns=many)
    response = Client().get(f"/c/{consultation.public_token}/")
    page = response.content.decode()
    assert len(response.content) < 50 * 1024
    assert "<script" not in page and "style=" not in page and "http://" not in page.replace(
        "http://testserver", "")
    with override_settings(LANGUAGES=[("en", "English"), ("ar", "Arabic")]):
        rtl = Client().get(f"/c/{consultation.public_token}/?lang=ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in rtl and 'id="campaigns-h"' in rtl


def test_the_public_page_queries_do_not_grow_with_campaigns(hr_lead, django_assert_max_num_queries):
    consultation, _privacy = published_with_campaigns(hr_lead, campaigns=tuple((100 + n, 5) for n in range(4)))
    client = Client()
    client.get(f"/c/{consultation.public_token}/")  # warms the language counts cache
    with django_assert_max_num_queries(6):
        assert client.get(f"/c/{consultation.public_token}/").status_code == 200
