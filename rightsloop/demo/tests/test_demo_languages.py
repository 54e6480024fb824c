"""The demo can be switched to every language (issue 17): the dashboard, the board's view, the regional assessment, the
market entry held by the local-voices gate and the stakeholder portal, in each of the eight interface languages.

Each page answers 200, declares its language and direction on <html>, and shows no fixed text of ours still in
English where the language's catalogue translates it (language_checks.leftover_english): the nav's "Stakeholders"
must read "Wadau" in Swahili and "أصحاب المصلحة" in Arabic. One request per page and language, on one demo.
"""

import pytest
from babel import Locale
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from rightsloop.accounts.models import Membership
from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments.models import Assessment
from rightsloop.core.models import Organisation
from rightsloop.core.tests.language_checks import html_language, leftover_english, translate
from rightsloop.demo import assessments as demo_assessments
from rightsloop.demo import content
from rightsloop.demo.portal import portal_stakeholder
from rightsloop.portal.access import SESSION_LANGUAGE_KEY
from rightsloop.portal.testing import open_portal
from rightsloop.risks.models import StrategicDecision
from rightsloop.risks.vocabulary import DecisionCategory

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _viewer(username: str) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("user", "organisation").get(
        user__username=username, organisation__slug=content.ORGANISATION_SLUG))


def _pages(sign_in, client, language: str) -> dict[str, str]:
    """Each page as its reader gets it in `language`: staff by the switcher's cookie, the stakeholder by the
    portal's own switcher (kept in their portal session)."""
    organisation = Organisation.objects.get(slug=content.ORGANISATION_SLUG)
    assessment = Assessment.objects.get(title=demo_assessments.TITLE)
    market_entry = StrategicDecision.objects.for_organisation(organisation).get(
        category=DecisionCategory.MARKET_ENTRY, markets__country="ET")  # blocked on local voices (G2)
    amina, helena = sign_in(_viewer(content.HR_LEAD)), sign_in(_viewer("helena"))
    for staff in (amina, helena):
        staff.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    open_portal(client, portal_stakeholder(organisation))
    session = client.session
    session[SESSION_LANGUAGE_KEY] = language
    session.save()
    pages = {}
    for name, reader, path in [
        ("dashboard", amina, reverse("core:home")),
        ("board", helena, reverse("oversight:board")),
        ("assessment", amina, reverse("assessments:detail", args=[assessment.pk])),
        ("market entry", amina, reverse("risks:decision-detail", args=[market_entry.pk])),
        ("portal", client, reverse("portal:home")),
    ]:
        response = reader.get(path)
        assert response.status_code == 200, f"{name} in {language}: {response.status_code}"
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_demo_reads_in_every_language(loaded_demo, sign_in, client, language):
    pages = _pages(sign_in, client, language)
    direction = "rtl" if language == "ar" else "ltr"
    words = {msgid: escape(translate(msgid, language)) for msgid in ("Stakeholders", "Board", "Sign out")}
    assert language == "en" or all(words[msgid] != msgid for msgid in words), "the catalogue lost the nav's words"
    for name, page in pages.items():
        assert html_language(page) == (language, direction), name
        assert leftover_english(page, language) == [], name
        assert words["Sign out"] in page, name
        # The staff nav (the board member's has no register of stakeholders); the portal has its own.
        nav = () if name == "portal" else ("Board",) if name == "board" else ("Board", "Stakeholders")
        for msgid in nav:
            assert f">{words[msgid]}</a>" in page, (name, msgid)
            assert language == "en" or f">{msgid}</a>" not in page, (name, msgid)
    # The assessment's partners were trained in Swahili: the language is named as the reader's language names it
    # (CLDR), not left in English ("Kiswahili" in Swahili, "السواحلية" in Arabic).
    assert Locale.parse(language).languages["sw"].casefold() in pages["assessment"].casefold()


def test_the_check_sees_english_left_in_a_page(loaded_demo, sign_in, client):
    """The check above can fail: the English dashboard, read as if it were Swahili, is full of English."""
    english = _pages(sign_in, client, "en")["dashboard"]
    assert "Stakeholders" in leftover_english(english, "sw")
