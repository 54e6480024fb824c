"""The grievances section of the stakeholder portal: raise a grievance (never anonymously; a proxy for a group
only under a current mandate), see the receipt once, and follow one's own cases only: stage, next step, messages,
satisfaction, appeal and the remedy, all through the portal without JavaScript."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.grievances import receipts
from rightsloop.grievances.actions import cases as case_actions
from rightsloop.grievances.actions import remedy
from rightsloop.grievances.models import ActionConfirmation, Appeal, CaseMessage, Grievance, RemedyAction
from rightsloop.grievances.vocabulary import ActionStatus, Channel, MessageDirection, Mode, RaisedBy, RemedyType, Stage
from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.groups import Mandate, end_representation, represent
from rightsloop.stakeholders.models import Representation
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

from .factories_remedy import make_case

pytestmark = pytest.mark.django_db

WHAT_HAPPENED = "The delivery app cut our pay after the rating change and nobody explains why"
INDEX = "/portal/grievances/"
RAISE = "/portal/grievances/new/"
RECEIPT = "/portal/grievances/receipt/"


def text(response) -> str:
    return response.content.decode()


def plain_page(response, *, echoed: int = 0) -> str:
    """The page, checked for what every stakeholder-facing page must be: no script, small, right-to-left ready.

    `echoed`: the length of what the person typed and the form gives back to them (never thrown away)."""
    body = text(response)
    assert response.status_code in (200, 400), response.status_code
    assert "<script" not in body.lower()
    assert len(response.content) < 50_000 + echoed
    assert re.search(r'<html lang="[a-z-]+" dir="(ltr|rtl)"', body)
    return body


def _form(**fields) -> dict:
    values = {"token": "portal-form-token-0001", "mode": Mode.CONFIDENTIAL, "description": WHAT_HAPPENED,
              "country": "KE", "product": "RiderApp", "wanted_outcome": "Explain the rating and pay us back"}
    values.update(fields)
    return values


@pytest.fixture
def person(hr_lead):
    return make_stakeholder(hr_lead, name="Amina Njoroge", entity_type="person")


@pytest.fixture
def proxy(hr_lead):
    return make_stakeholder(hr_lead, name="Riders Union", kind="proxy", entity_type="organisation")


@pytest.fixture
def own_group(proxy):
    return Representation.objects.get(proxy=proxy).group


# Raising a grievance ---------------------------------------------------------------------------------------

def test_the_section_is_in_every_portal_menu(client, person):
    open_portal(client, person)
    home = text(client.get(reverse("portal:home")))
    assert f'href="{INDEX}"' in home and "Grievances" in home
    page = plain_page(client.get(INDEX))
    assert "You have not raised a grievance here." in page and f'href="{RAISE}"' in page


def test_a_person_raises_a_confidential_grievance_and_sees_the_receipt_once(client, organisation, person):
    open_portal(client, person)
    form = plain_page(client.get(RAISE))
    # Never anonymous here, said plainly, with the way to the public page for that.
    assert "never anonymous" in form and f'href="/g/{organisation.slug}/"' in form
    assert 'value="anonymous"' not in form
    assert "The group I represent" not in form  # not a proxy: no group to choose
    response = client.post(RAISE, _form())
    assert response.status_code == 303 and response.url == RECEIPT
    grievance = Grievance.objects.get()
    assert (grievance.channel, grievance.mode, grievance.raised_by) == (Channel.PORTAL, Mode.CONFIDENTIAL,
                                                                         RaisedBy.AFFECTED)
    assert grievance.stakeholder == person and grievance.proxy is None and grievance.on_behalf_of is None
    assert grievance.description == WHAT_HAPPENED and grievance.interface_language
    receipt_page = plain_page(client.get(RECEIPT))
    digits = re.search(r"((?:\d{4} ){8})", receipt_page).group(1).replace(" ", "")
    assert receipts.check(organisation, digits) == grievance
    assert reverse("portal:grievances:case", args=[grievance.pk]) in receipt_page
    again = plain_page(client.get(RECEIPT))
    assert "already shown" in again and digits[:4] + " " + digits[4:8] not in again
    # The same form posted twice is one case.
    assert client.post(RAISE, _form()).status_code == 303
    assert Grievance.objects.count() == 1
    entry = AuditEntry.objects.get(action="grievance.received")
    assert "portal" in entry.summary and WHAT_HAPPENED[:20] not in entry.summary and "Amina" not in entry.summary


def test_a_named_grievance_and_the_list(client, person):
    open_portal(client, person)
    assert client.post(RAISE, _form(mode=Mode.NAMED, token="another-token-0002")).status_code == 303
    grievance = Grievance.objects.get()
    assert grievance.mode == Mode.NAMED
    page = plain_page(client.get(INDEX))
    assert f"Case {grievance.label}" in page and "Received" in page
    assert "Acknowledgement" in page  # the next step, by its indicative date


@pytest.mark.parametrize("fields, message", [
    ({"mode": Mode.ANONYMOUS}, "cannot be anonymous"),
    ({"mode": ""}, "Choose confidential or named."),
    ({"description": "   "}, "Tell us what happened"),
    ({"description": "x" * 1_000_001}, "Keep this under 20,000 characters"),
    ({"country": "XX"}, "Select a valid choice"),
    ({"occurred_on": "2999-01-01"}, "This date is in the future."),
    ({"description": "broken \ufffd text"}, "could not be read"),
])
def test_bad_input_renders_the_form_again_and_saves_nothing(client, person, fields, message):
    open_portal(client, person)
    response = client.post(RAISE, _form(**fields))
    assert response.status_code == 400
    assert message in plain_page(response, echoed=len(fields.get("description", "")))
    assert not Grievance.objects.exists()


def test_a_proxy_files_for_a_group_it_represents(client, proxy, own_group):
    open_portal(client, proxy)
    form = plain_page(client.get(RAISE))
    assert f'value="{own_group.pk}"' in form and own_group.name in form
    response = client.post(RAISE, _form(on_behalf_of=own_group.pk, represents="The 40 riders of the Westlands depot",
                                        mode=Mode.NAMED))
    assert response.status_code == 303
    grievance = Grievance.objects.get()
    assert grievance.raised_by == RaisedBy.ON_BEHALF and grievance.supported_by_adviser
    assert (grievance.proxy, grievance.stakeholder, grievance.on_behalf_of) == (proxy, proxy, own_group)
    assert grievance.represents == "The 40 riders of the Westlands depot"
    page = plain_page(client.get(INDEX))
    assert own_group.name in page
    case_page = plain_page(client.get(reverse("portal:grievances:case", args=[grievance.pk])))
    assert "The 40 riders of the Westlands depot" in case_page


def test_a_proxy_must_say_whom_it_represents(client, proxy, own_group):
    open_portal(client, proxy)
    response = client.post(RAISE, _form(on_behalf_of=own_group.pk, represents=""))
    assert response.status_code == 400 and "Say whom you represent" in text(response)
    assert not Grievance.objects.exists()


def test_filing_for_a_group_without_a_current_mandate_is_refused(client, hr_lead, outsider, proxy, own_group):
    not_theirs = make_group(hr_lead, name="Drivers of Mombasa")
    ended = make_group(hr_lead, name="Couriers of Kisumu")
    mandate = represent(proxy=proxy, group=ended, mandate=Mandate(legitimacy_basis="Elected"), by=hr_lead)
    end_representation(representation=mandate, by=hr_lead)
    abroad = make_group(outsider, name="Riders abroad")
    open_portal(client, proxy)
    form = text(client.get(RAISE))
    assert own_group.name in form
    assert "Drivers of Mombasa" not in form and "Couriers of Kisumu" not in form and "Riders abroad" not in form
    for group_id in (not_theirs.pk, ended.pk, abroad.pk, "abc", 2**63):
        response = client.post(RAISE, _form(on_behalf_of=group_id, represents="Everyone",
                                            token=f"token-for-group-{group_id}"))
        assert response.status_code == 400, group_id
        assert "This group is not one you represent today" in plain_page(response)
    assert not Grievance.objects.exists()


def test_someone_who_represents_nobody_cannot_file_for_a_group(client, hr_lead, person, own_group):
    open_portal(client, person)
    response = client.post(RAISE, _form(on_behalf_of=own_group.pk, represents="Everyone"))
    assert response.status_code == 400 and "This group is not one you represent today" in text(response)
    assert not Grievance.objects.exists()


# Following one's own cases ---------------------------------------------------------------------------------

@pytest.fixture
def cases(organisation, other_organisation, person, proxy, hr_lead, outsider):
    """The person's own case, one a proxy filed naming them, one they filed as a proxy... and others' cases."""
    someone = make_stakeholder(hr_lead, name="Someone else")
    made = {
        "own": make_case(organisation, stakeholder=person, mode=Mode.CONFIDENTIAL),
        "filed": make_case(organisation, proxy=proxy, stakeholder=proxy, mode=Mode.NAMED,
                           description="Filed by the union"),
        "theirs": make_case(organisation, stakeholder=someone, mode=Mode.CONFIDENTIAL, description="Not yours"),
        "anonymous": make_case(organisation, description="Nobody's in the portal"),
        "erased": make_case(organisation, stakeholder=person, mode=Mode.CONFIDENTIAL),
        "abroad": make_case(other_organisation, description="Another company's"),
    }
    Grievance.objects.filter(pk=made["erased"].pk).update(erased_at=timezone.now())
    return made


def test_a_stakeholder_sees_only_their_own_cases(client, person, cases):
    open_portal(client, person)
    page = plain_page(client.get(INDEX))
    assert f"Case {cases['own'].label}<" in page
    assert page.count("Case G-") == 1
    assert plain_page(client.get(reverse("portal:grievances:case", args=[cases["own"].pk]))).count(
        "The fare app charged") == 1
    for name in ("filed", "theirs", "anonymous", "erased", "abroad"):
        pk = cases[name].pk
        assert client.get(f"/portal/grievances/{pk}/").status_code == 404, name
        for action in ("reply", "satisfaction", "appeal", "remedy/proposals", "remedy/agreement"):
            assert client.post(f"/portal/grievances/{pk}/{action}/", {"text": "x", "reason": "x",
                                                                       "satisfaction": "satisfied"}).status_code == 404
    for pk in (0, 2**63):
        assert client.get(f"/portal/grievances/{pk}/").status_code == 404
    assert not CaseMessage.objects.exists() and not Appeal.objects.exists()


def test_a_proxy_sees_the_cases_it_filed(client, proxy, cases):
    open_portal(client, proxy)
    page = plain_page(client.get(INDEX))
    assert f"Case {cases['filed'].label}<" in page and page.count("Case G-") == 1
    assert client.get(f"/portal/grievances/{cases['own'].pk}/").status_code == 404


def test_staff_sessions_open_no_portal_grievances(hr_lead, sign_in, cases):
    staff = sign_in(hr_lead)
    assert staff.get(INDEX).status_code == 403
    assert staff.get(f"/portal/grievances/{cases['own'].pk}/").status_code == 403


def test_messages_both_ways_through_the_portal(client, hr_lead, person, cases):
    grievance = cases["own"]
    case_actions.send_message(grievance=grievance, text="Which day was your pay cut?", is_question=True, by=hr_lead)
    case_actions.add_internal_note(grievance=grievance, text="Handler-only note", by=hr_lead)
    open_portal(client, person)
    assert "new message" in text(client.get(INDEX))
    url = reverse("portal:grievances:case", args=[grievance.pk])
    page = plain_page(client.get(url))
    assert "Which day was your pay cut?" in page and "We asked you a question" in page
    assert "Handler-only note" not in page
    assert CaseMessage.objects.get(direction=MessageDirection.TO_COMPLAINANT).seen_at is not None
    assert "new message" not in text(client.get(INDEX))
    empty = client.post(f"{url}reply/", {"token": "reply-token-001", "text": "  "})
    assert empty.status_code == 400 and "Write your message." in plain_page(empty)
    for _twice in range(2):
        response = client.post(f"{url}reply/", {"token": "reply-token-002", "text": "On the 3rd of May"})
        assert response.status_code == 303 and response.url == f"{url}#messages"
    answer = CaseMessage.objects.get(direction=MessageDirection.FROM_COMPLAINANT)
    assert answer.via == "portal" and answer.text == "On the 3rd of May" and answer.author is None
    page = plain_page(client.get(url))
    assert "On the 3rd of May" in page and "We asked you a question" not in page


def test_satisfaction_and_appeal_through_the_portal(client, hr_lead, person, organisation):
    grievance = make_case(organisation, stakeholder=person, mode=Mode.CONFIDENTIAL, stage=Stage.CLOSED,
                          outcome_summary="We restored the pay and apologised", handler=hr_lead.user)
    open_portal(client, person)
    url = reverse("portal:grievances:case", args=[grievance.pk])
    page = plain_page(client.get(url))
    assert "We restored the pay and apologised" in page and "Appeal" in page
    bad = client.post(f"{url}satisfaction/", {"satisfaction": "delighted"})
    assert bad.status_code == 400
    response = client.post(f"{url}satisfaction/", {"satisfaction": "partly", "note": "Late"})
    assert response.status_code == 303
    grievance.refresh_from_db()
    assert grievance.satisfaction == "partly" and grievance.satisfaction_note == "Late"
    assert client.post(f"{url}appeal/", {"reason": ""}).status_code == 400
    response = client.post(f"{url}appeal/", {"reason": "The apology named the wrong person"})
    assert response.status_code == 303
    grievance.refresh_from_db()
    assert grievance.stage == Stage.ASSESSING and grievance.appeals_count == 1 and grievance.handler is None
    assert Appeal.objects.get().via == "portal"
    assert grievance.exclusions.filter(user=hr_lead.user).exists()
    # Now open again: nothing to appeal, the answer explains why.
    again = client.post(f"{url}appeal/", {"reason": "Again"})
    assert again.status_code == 400 and "once the case is closed" in plain_page(again)
    assert Appeal.objects.count() == 1


def test_satisfaction_waits_for_an_outcome(client, person, cases):
    open_portal(client, person)
    url = reverse("portal:grievances:case", args=[cases["own"].pk])
    response = client.post(f"{url}satisfaction/", {"satisfaction": "satisfied"})
    assert response.status_code == 400 and "once there is an outcome" in plain_page(response)
    cases["own"].refresh_from_db()
    assert cases["own"].satisfaction == ""


def test_the_remedy_through_the_portal(client, hr_lead, person, organisation, cases):
    grievance = cases["own"]
    plan = remedy.create_plan(grievances=[grievance], title="Pay back riders", by=hr_lead)
    action = remedy.add_action(plan=plan, remedy_type=RemedyType.COMPENSATION, description="Pay the lost wages",
                               owner=hr_lead.user, due_on=timezone.localdate() + datetime.timedelta(days=5),
                               by=hr_lead)
    remedy.mark_delivered(action=action, by=hr_lead)
    other_case = make_case(organisation)
    other_plan = remedy.create_plan(grievances=[other_case], title="Other", by=hr_lead)
    foreign_action = remedy.add_action(plan=other_plan, remedy_type=RemedyType.APOLOGY, description="Say sorry",
                                       owner=hr_lead.user, due_on=timezone.localdate(), by=hr_lead)
    open_portal(client, person)
    url = reverse("portal:grievances:case", args=[grievance.pk])
    page = plain_page(client.get(url))
    answer_url = reverse("portal:grievances:remedy-answer", args=[grievance.pk, action.pk])
    assert "Pay the lost wages" in page and f'action="{answer_url}"' in page
    assert "/g/" not in page.split('id="remedy"')[1].split("</section>")[0]  # the forms post to the portal
    assert client.post(reverse("portal:grievances:remedy-answer", args=[grievance.pk, foreign_action.pk]),
                       {f"a{foreign_action.pk}-answer": "disputed"}).status_code == 404
    assert client.post(answer_url, {f"a{action.pk}-answer": "maybe"}).status_code == 400
    response = client.post(answer_url, {f"a{action.pk}-answer": "disputed", f"a{action.pk}-note": "Only half paid"})
    assert response.status_code == 303 and response.url == f"{url}#remedy"
    confirmation = ActionConfirmation.objects.get()
    assert (confirmation.via, confirmation.answer, confirmation.grievance) == ("portal", "disputed", grievance)
    action.refresh_from_db()
    assert action.status == ActionStatus.DISPUTED
    propose = reverse("portal:grievances:remedy-propose", args=[grievance.pk])
    assert client.post(propose, {"text": "", "submission_key": "p-1"}).status_code == 400
    response = client.post(propose, {"text": "Pay the rest by June", "submission_key": "proposal-key-1"})
    assert response.status_code == 303
    page = plain_page(client.get(url))
    assert "Pay the rest by June" in page and "No, this was not done as agreed" in page
    assert RemedyAction.objects.get(pk=foreign_action.pk).status == ActionStatus.PLANNED


def test_no_remedy_routes_without_a_plan(client, person, cases):
    open_portal(client, person)
    pk = cases["own"].pk
    assert client.post(reverse("portal:grievances:remedy-propose", args=[pk]), {"text": "x"}).status_code == 404
    assert client.post(reverse("portal:grievances:remedy-answer", args=[pk, 1]), {}).status_code == 404


# Cost -------------------------------------------------------------------------------------------------------

def test_the_list_and_a_case_read_a_fixed_number_of_queries(client, hr_lead, organisation, person,
                                                            django_assert_max_num_queries):
    first = make_case(organisation, stakeholder=person, mode=Mode.CONFIDENTIAL)
    case_actions.send_message(grievance=first, text="A first question", by=hr_lead)
    open_portal(client, person)
    case_url = reverse("portal:grievances:case", args=[first.pk])
    with CaptureQueriesContext(connection) as few_cases:
        client.get(INDEX)
    with CaptureQueriesContext(connection) as few_messages:
        client.get(case_url)
    for number in range(12):
        make_case(organisation, stakeholder=person, mode=Mode.CONFIDENTIAL)
        case_actions.send_message(grievance=first, text=f"Question {number}", by=hr_lead)
    with django_assert_max_num_queries(len(few_cases.captured_queries)):
        page = client.get(INDEX)
    assert text(page).count("Case G-") == 13
    with django_assert_max_num_queries(len(few_messages.captured_queries) + 2):  # + marking the new ones seen
        page = client.get(case_url)
    assert "Question 11" in text(page)
    with django_assert_max_num_queries(len(few_messages.captured_queries)):
        client.get(case_url)


def test_agreeing_to_a_proposed_remedy_through_the_portal(client, hr_lead, person, organisation):
    grievance = make_case(organisation, stakeholder=person, mode=Mode.CONFIDENTIAL, stage=Stage.REMEDY_PROPOSED)
    open_portal(client, person)
    url = reverse("portal:grievances:case", args=[grievance.pk])
    agree_url = reverse("portal:grievances:remedy-agree", args=[grievance.pk])
    page = plain_page(client.get(url))
    assert f'action="{agree_url}"' in page and "Nothing is agreed until you say so" in page
    # Not agreeing needs their words; nothing changes without them.
    refused = client.post(agree_url, {"agree": "no", "note": ""})
    assert refused.status_code == 400 and "Tell us what is wrong" in plain_page(refused)
    grievance.refresh_from_db()
    assert grievance.stage == Stage.REMEDY_PROPOSED
    response = client.post(agree_url, {"agree": "yes"})
    assert response.status_code == 303 and response.url == f"{url}#remedy"
    grievance.refresh_from_db()
    assert grievance.stage == Stage.REMEDY_AGREED
    entry = AuditEntry.objects.get(action="grievance.remedy_answered")
    assert "portal" in entry.summary
    page = plain_page(client.get(url))
    assert f'action="{agree_url}"' not in page
    # Posting an answer to "no" once it is agreed: the page says why, nothing changes.
    late = client.post(agree_url, {"agree": "no", "note": "Changed my mind"})
    assert late.status_code == 400 and "no proposed remedy waiting" in plain_page(late)
    grievance.refresh_from_db()
    assert grievance.stage == Stage.REMEDY_AGREED


def test_another_persons_proposed_remedy_is_not_found(client, person, cases):
    Grievance.objects.filter(pk=cases["theirs"].pk).update(stage=Stage.REMEDY_PROPOSED)
    open_portal(client, person)
    response = client.post(reverse("portal:grievances:remedy-agree", args=[cases["theirs"].pk]), {"agree": "yes"})
    assert response.status_code == 404
    assert Grievance.objects.get(pk=cases["theirs"].pk).stage == Stage.REMEDY_PROPOSED
