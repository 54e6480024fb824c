"""Inputs in any language: detected when nobody said, kept when someone did, shown with their direction."""

import pytest

from rightsloop.conftest import signed_in
from rightsloop.core.languages import detect
from rightsloop.engagements import actions
from rightsloop.engagements.tests.factories import make_engagement, make_input

pytestmark = pytest.mark.django_db
ARABIC = "من فضلك احذف سجل موقعي بعد ثلاثين يوما ولا تبيعه لأحد"
SWAHILI = "Tafadhali futa historia yangu ya mahali baada ya siku thelathini"


@pytest.mark.parametrize("text", ["ok", "Merci", "Asante sana", "شكرا", "   ", ""])
def test_short_or_unsure_text_stays_unknown(text):
    assert detect(text) == ""


def test_a_sentence_is_detected():
    assert (detect(ARABIC), detect(SWAHILI)) == ("ar", "sw")


def test_an_input_gets_its_language_detected_unless_someone_said_it(hr_lead):
    engagement = make_engagement(hr_lead)
    arabic = make_input(hr_lead, engagement, text=ARABIC)
    said = make_input(hr_lead, engagement, text=SWAHILI, language="en")  # whoever recorded it knows better
    short = make_input(hr_lead, engagement, text="ok")
    assert (arabic.language, arabic.language_detected) == ("ar", True)
    assert (said.language, said.language_detected) == ("en", False)
    assert (short.language, short.language_detected) == ("", True)


def test_a_corrected_text_is_detected_again_but_a_stated_language_stays(hr_lead):
    engagement = make_engagement(hr_lead)
    detected = make_input(hr_lead, engagement, text="ok")
    stated = make_input(hr_lead, engagement, text="ok", language="fr")
    for item in (detected, stated):
        actions.edit_input(input=item, text=SWAHILI, speaker=None, attribution=item.attribution, tags=[], by=hr_lead)
        item.refresh_from_db()
    assert (detected.language, stated.language) == ("sw", "fr")


def test_the_page_shows_each_input_in_its_direction_and_names_its_language(hr_lead):
    engagement = make_engagement(hr_lead)
    make_input(hr_lead, engagement, text=ARABIC)
    make_input(hr_lead, engagement, text="ok")
    page = signed_in(hr_lead).get(f"/engagements/{engagement.pk}/inputs/").content.decode()
    assert f'<p class="said" lang="ar" dir="rtl">{ARABIC}</p>' in page
    assert '<p class="said" dir="auto">ok</p>' in page
    assert "· Arabic" in page


def test_grievances_and_their_messages_get_their_language_detected_and_shown_in_its_direction(organisation, hr_lead):
    from rightsloop.grievances.actions import cases
    from rightsloop.grievances.actions.intake import GrievanceReport, submit_grievance
    from rightsloop.grievances.vocabulary import Channel, MessageVia, Mode, RaisedBy

    def submitted(text):
        report = GrievanceReport(mode=Mode.ANONYMOUS, raised_by=RaisedBy.AFFECTED, description=text)
        return submit_grievance(organisation=organisation, report=report, channel=Channel.WEB).grievance

    arabic, short = submitted(ARABIC), submitted("ok")
    assert (arabic.language, short.language) == ("ar", "")
    message = cases.record_message_from_complainant(grievance=short, text=SWAHILI, via=MessageVia.STAFF, by=hr_lead)
    assert message.language == "sw"
    page = signed_in(hr_lead).get(f"/grievances/{arabic.pk}/").content.decode()
    assert f'<p class="said" lang="ar" dir="rtl">{ARABIC}</p>' in page
