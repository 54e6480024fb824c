"""The stakeholder's own pages: what became of what they said, engagements and briefings, details, consent and
erasure; small, query-bounded, and only ever about the session's own stakeholder."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from rightsloop.core.models import AuditEntry
from rightsloop.portal.models import ErasureRequest
from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.models import Stakeholder

pytestmark = pytest.mark.django_db

PAGES = ["portal:home", "portal:said:index", "portal:engagements:index", "portal:details:index"]


def text(response) -> str:
    return response.content.decode()


def test_what_became_of_what_they_said(client, world):
    open_portal(client, world.person)
    page = text(client.get(reverse("portal:said:index")))
    assert "Delete location history after 30 days" in page
    assert "Kept 90 days for fraud checks" in page  # the rationale
    assert "Present the costing to the riders" in page  # the next step, and by when
    assert "Tell riders when their data is shared" in page and "Pas encore tranché" in page  # still open
    assert world.objects["upcoming"].title not in page
    assert reverse("portal:said:report", args=[world.objects["report"].pk]) in page
    # Never anyone else's words: a colleague's, a group's relayed by a proxy the person belongs to, another
    # organisation's.
    for other in ("Colleague secret words", "Group words relayed by the union", "Foreign words"):
        assert other not in page
    report = client.get(reverse("portal:said:report", args=[world.objects["report"].pk]))
    assert report.status_code == 200


def test_a_proxy_sees_the_words_it_relayed_and_for_whom(client, world):
    open_portal(client, world.proxy)
    page = text(client.get(reverse("portal:said:index")))
    assert "Group words relayed by the union" in page and "Riders of Nairobi" in page
    assert "Delete location history" not in page


def test_upcoming_engagements_and_their_briefings(client, world):
    open_portal(client, world.person)
    page = text(client.get(reverse("portal:engagements:index")))
    assert "Algorithmic pay consultation" in page and "Nairobi office" in page
    assert "https://example.org/summary" in page
    assert "Other consultation" not in page and "Location data workshop" not in page  # not theirs; past
    url = reverse("portal:engagements:briefing-file", args=[world.objects["upcoming"].pk,
                                                              world.objects["briefing"].pk])
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"Pay model briefing text"
    # Another engagement's briefing, or a briefing under the wrong engagement, is not found.
    for engagement, briefing in ((world.objects["elsewhere"], world.objects["other_briefing"]),
                                 (world.objects["upcoming"], world.objects["other_briefing"]),
                                 (world.objects["foreign"], world.objects["foreign_briefing"])):
        assert client.get(reverse("portal:engagements:briefing-file",
                                  args=[engagement.pk, briefing.pk])).status_code == 404


def test_updating_contact_details(client, world):
    open_portal(client, world.person)
    form = text(client.get(reverse("portal:details:index")))
    assert "amina@example.net" in form
    response = client.post(reverse("portal:details:index"), {
        "email": "amina.new@example.net", "phone": "+254 700 000000", "messenger_handle": "",
        "postal_address": "", "preferred_language": "es"})
    assert response.status_code == 302
    person = Stakeholder.objects.get(pk=world.person.pk)
    assert person.email == "amina.new@example.net" and person.preferred_language == "es"
    entry = AuditEntry.objects.filter(action="stakeholder.updated", target_id=str(person.pk)).latest("sequence")
    assert entry.actor_id is None and "amina" not in entry.summary
    assert set(entry.changed_fields) == {"email", "phone", "preferred_language"}
    # The next page is in the language they chose.
    assert 'lang="es"' in text(client.get(reverse("portal:details:index")))


@pytest.mark.parametrize("bad", [{"email": "not an address"}, {"phone": "9" * 41}, {"preferred_language": "xx"},
                                 {"email": "a@example.net\x00"}])
def test_bad_contact_details_re_render_with_errors_and_save_nothing(client, world, bad):
    open_portal(client, world.person)
    data = {"email": "amina@example.net", "phone": "", "messenger_handle": "", "postal_address": "",
            "preferred_language": "fr", **bad}
    response = client.post(reverse("portal:details:index"), data)
    assert response.status_code == 400
    assert "portal-error" in text(response)
    person = Stakeholder.objects.get(pk=world.person.pk)
    assert person.email == "amina@example.net" and person.phone == ""


def test_withdrawing_consent(client, world):
    open_portal(client, world.person)
    consent = world.objects["consent"]
    # Asked first: the page says what changes, without JavaScript, and changes nothing.
    page = client.get(reverse("portal:details:consent-withdraw", args=[consent.pk]))
    # The page is in the person's own language: the heading is looked for in it.
    language = re.search(r'<html lang="([^"]+)"', text(page)).group(1)
    with translation.override(language):
        heading = gettext("What will change")
    assert page.status_code == 200 and heading in text(page) and 'method="post"' in text(page)
    assert len(page.content) < 50_000
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    response = client.post(reverse("portal:details:consent-withdraw", args=[consent.pk]))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="consent.withdrawn", target_id=str(world.person.pk)).exists()
    # Withdrawn already, a colleague's, another organisation's: not found, nothing changed.
    for other in (consent, world.objects["colleague_consent"], world.objects["foreign_consent"]):
        assert client.post(reverse("portal:details:consent-withdraw", args=[other.pk])).status_code == 404
    world.objects["colleague_consent"].refresh_from_db()
    assert world.objects["colleague_consent"].withdrawn_at is None


def test_asking_for_erasure_then_staff_confirm(client, world, sign_in, hr_lead):
    open_portal(client, world.person)
    # Without the confirmation box ticked nothing is recorded.
    client.post(reverse("portal:details:erasure"), {})
    assert not ErasureRequest.objects.exists()
    client.post(reverse("portal:details:erasure"), {"confirm": "yes"})
    client.post(reverse("portal:details:erasure"), {"confirm": "yes"})  # twice is once
    request = ErasureRequest.objects.get()
    assert request.state == "pending"
    # The person reads French: the note as the page's language words it (from the date on, no apostrophes).
    with translation.override("fr"):
        asked = translation.gettext("You asked on %(date)s to be erased. A member of staff will confirm it; after "
                                    "that this portal closes for you.").split("%(date)s")[1][:30]
    assert asked in text(client.get(reverse("portal:details:index")))
    staff = sign_in(hr_lead)
    listing = text(staff.get(reverse("portal:staff:erasure-requests")))
    assert reverse("portal:staff:erasure-confirm", args=[request.pk]) in listing
    assert staff.post(reverse("portal:staff:erasure-confirm", args=[request.pk])).status_code == 302
    person = Stakeholder.objects.get(pk=world.person.pk)
    assert person.is_erased
    request.refresh_from_db()
    assert request.state == "confirmed" and request.decided_by == hr_lead.user
    # Their portal is closed, and a second confirmation does nothing.
    assert client.get(reverse("portal:home")).status_code == 403
    staff.post(reverse("portal:staff:erasure-confirm", args=[request.pk]))
    assert AuditEntry.objects.filter(action="stakeholder.erased", target_id=str(person.pk)).count() == 1


def test_staff_decline_an_erasure_request_with_a_reason_the_person_reads(client, world, sign_in, hr_lead):
    open_portal(client, world.person)
    client.post(reverse("portal:details:erasure"), {"confirm": "yes"})
    request = ErasureRequest.objects.get()
    staff = sign_in(hr_lead)
    url = reverse("portal:staff:erasure-decline", args=[request.pk])
    assert staff.post(url, {"reason": "   "}).status_code == 400
    request.refresh_from_db()
    assert request.state == "pending"
    assert staff.post(url, {"reason": "We must keep payment records for seven years."}).status_code == 302
    page = text(client.get(reverse("portal:details:index")))
    assert "We must keep payment records for seven years." in page
    assert not Stakeholder.objects.get(pk=world.person.pk).is_erased


def test_erasure_requests_need_stakeholders_edit(world, sign_in, auditor, decision_maker):
    for viewer in (auditor, decision_maker):
        assert sign_in(viewer).get(reverse("portal:staff:erasure-requests")).status_code == 403


def _stylesheet_size() -> int:
    with open(finders.find("portal/portal.css"), "rb") as handle:
        return len(handle.read())


def test_every_portal_page_is_under_50_kb_with_its_stylesheet(client, world):
    open_portal(client, world.person)
    css = _stylesheet_size()
    assert css < 6_000
    urls = [reverse(name) for name in PAGES] + [reverse("portal:said:report", args=[world.objects["report"].pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert len(response.content) + css < 50 * 1024, url
        assert "<script" not in text(response), url


def test_query_counts_stay_flat(client, world, django_assert_max_num_queries):
    from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation

    open_portal(client, world.person)
    counts = {}
    # The session, the link with its stakeholder, the page's own reads, one per other section's menu entry
    # (its `shown`), and the session written back (the CSRF secret lives in it).
    for url in [reverse(name) for name in PAGES]:
        with django_assert_max_num_queries(16) as captured:
            client.get(url)
        counts[url] = len(captured)
    # Ten more engagements and inputs add no query to any page.
    for number in range(10):
        engagement = make_engagement(world.staff, title=f"More {number}")
        make_input(world.staff, engagement, make_participation(world.staff, engagement, world.person))
    for url, before in counts.items():
        with django_assert_max_num_queries(before) as captured:
            client.get(url)


def test_home_sums_up_and_links_every_section(client, world):
    open_portal(client, world.person)
    page = text(client.get(reverse("portal:home")))
    # French: three inputs, two still open (one undecided, one under consideration), one report, the next meeting.
    assert "3" in page and "Algorithmic pay consultation" in page
    for name in ("portal:said:index", "portal:engagements:index", "portal:details:index"):
        assert reverse(name) in page


def test_every_sections_index_is_under_50_kb_and_script_free(client):
    """Other apps' sections too, for the person of the access tests' world (who has an agreement, a rating
    round, payments and a grant besides engagements)."""
    from rightsloop.accounts.tests.factories import make_organisation
    from rightsloop.core.registry import site
    from rightsloop.core.tests.access_worlds import OWN, build_world, new_builder

    world = build_world(new_builder(make_organisation("Kestrel Networks")), OWN)
    open_portal(client, world.objects["stakeholder"])
    css = _stylesheet_size()
    for section in site.portal_sections:
        response = client.get(reverse(f"portal:{section.key}:index"))
        assert response.status_code == 200, section.key
        assert len(response.content) + css < 50 * 1024, section.key
        assert "<script" not in text(response) and "<html lang=" in text(response), section.key
