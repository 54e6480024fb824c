"""The report's own words never name someone who may not be named publicly."""

from rightsloop.disclosure.redaction import Screen
from rightsloop.relationships.tests.agreement_factories import make_agreement
from rightsloop.stakeholders.tests.factories import make_stakeholder


def test_protected_and_unconsenting_people_are_withheld(organisation, other_organisation, hr_lead, outsider):
    make_stakeholder(hr_lead, name="Aung Kyaw Min", safety_level="high", email="akm@example.org")
    make_stakeholder(hr_lead, name="Maria José Núñez", safety_level="elevated")
    make_stakeholder(hr_lead, name="Otieno Ochieng")  # normal, but no agreement lets us name him
    make_stakeholder(outsider, name="Grace Wanjiru")  # another organisation's register: not ours to know
    screened = Screen(organisation)(
        "We met aung KYAW min twice; Maria Jose Nunez and Otieno Ochieng spoke. Write to AKM@example.org. "
        "Grace Wanjiru chaired.")
    assert "Kyaw" not in screened.text and "KYAW" not in screened.text
    assert "Maria" not in screened.text and "Otieno" not in screened.text and "akm@" not in screened.text.lower()
    assert screened.text.count("[withheld]") == 4
    assert "Grace Wanjiru" in screened.text
    assert screened.withheld == 4


def test_a_person_whose_agreement_lets_us_name_them_is_named(organisation, hr_lead):
    person = make_stakeholder(hr_lead, name="Amina Yusuf", email="amina@example.org")
    make_agreement(hr_lead, person, state="in_force", nda_scope="", nda_sunset_on=None)
    screened = Screen(organisation)("Amina Yusuf led the session.")
    assert screened.text == "Amina Yusuf led the session."


def test_words_alone_do_not_withhold_a_name(organisation, hr_lead):
    make_stakeholder(hr_lead, name="Rose Mary Achieng", safety_level="high")
    screened = Screen(organisation)("The rose garden and Mary's shop are in Achieng street.")
    assert screened.withheld == 0
