"""The one fall-back order for what is addressed to a stakeholder (docs/languages.md), and each kind of call site."""

import pytest

from rightsloop.consultations.loop import message_language
from rightsloop.core.languages import fallback_order, language_for_stakeholder, stakeholder_language
from rightsloop.engagements.reports import language_for
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.grievances.models import Grievance
from rightsloop.portal.access import portal_language
from rightsloop.relationships.agreements import _stakeholder_email
from rightsloop.stakeholders.tests.factories import make_stakeholder


def test_the_order_is_their_languages_then_their_country_then_the_organisation_then_english():
    assert fallback_order(["ki"], country="KE", organisation_language="fr") == ["ki", "sw", "en", "fr"]
    assert fallback_order(["pt-BR", "PT"], organisation_language="es") == ["pt", "es", "en"]


@pytest.mark.parametrize(("spoken", "country", "organisation", "expected"), [
    ([], "KE", "en", "sw"),  # a Kenyan with no stated language: the lingua franca, not English
    ([], "MA", "en", "ar"),  # a Moroccan: Arabic before French and English
    (["ki"], "KE", "fr", "sw"),  # Kikuyu has no translation; Swahili before the organisation's French
    (["fr"], "KE", "en", "fr"),  # what they speak comes before their country
    ([], "", "es", "es"),  # nothing known: the organisation's default
    (["xx"], "ZZ", "xx", "en"),  # nothing usable anywhere: English
    ([], "SN", "es", "fr"),  # Wolof has no translation; French, Senegal's other main language, does
    ([], "IN", "en", "hi"),
])
def test_the_first_translated_language_in_the_order_wins(spoken, country, organisation, expected):
    assert stakeholder_language(spoken, country=country, organisation_language=organisation) == expected


@pytest.mark.django_db
def test_feedback_letters_follow_the_order(hr_lead):
    engagement = make_engagement(hr_lead)
    kenyan = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, country="KE", languages=[]))
    moroccan = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, country="MA", languages=[]))
    kikuyu = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, country="KE", languages=["ki"]))
    assert (language_for(kenyan), language_for(moroccan), language_for(kikuyu)) == ("sw", "ar", "sw")


@pytest.mark.django_db
def test_portal_pages_and_portal_emails_follow_the_order(hr_lead):
    kenyan = make_stakeholder(hr_lead, country="KE", languages=[])
    assert portal_language(kenyan) == "sw"
    assert portal_language(kenyan, "fr") == "fr"  # chosen in the session: always first
    assert language_for_stakeholder(make_stakeholder(hr_lead, country="MA", languages=[])) == "ar"


@pytest.mark.django_db
def test_an_agreement_email_to_a_stakeholder_follows_the_order(hr_lead):
    from rightsloop.relationships.tests.agreement_factories import make_agreement

    agreement = make_agreement(hr_lead, stakeholder=make_stakeholder(hr_lead, country="KE", languages=["ki"]))
    message = _stakeholder_email(agreement, agreement.versions.first())
    assert message.extra_headers["Content-Language"] == "sw"


def test_consultation_messages_use_the_respondents_language_else_the_organisations():
    assert message_language("sw-KE", "en") == "sw"
    assert message_language("ki", "fr") == "fr"  # a respondent has no country on file
    assert message_language("", "xx") == "en"


@pytest.mark.django_db
def test_grievance_messages_follow_the_order(organisation):
    def case(**fields):
        return Grievance(organisation=organisation, **fields)

    assert case(interface_language="pt", language="", country="KE").complainant_language == "pt"
    assert case(interface_language="", language="ar", country="KE").complainant_language == "ar"
    assert case(interface_language="", language="ki", country="KE").complainant_language == "sw"
    assert case(interface_language="", language="", country="MA").complainant_language == "ar"
