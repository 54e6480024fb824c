"""Links from a case to salient risks, mitigations and strategic decisions, and a risk made from a case."""

import pytest
from django.template.loader import render_to_string

from rightsloop.core.models import AuditEntry
from rightsloop.grievances.actions import links
from rightsloop.grievances.models import HandlerExclusion
from rightsloop.risks.models import Risk, StrategicDecision
from rightsloop.risks.tests.factories import make_mitigation, make_risk

from .factories_deadlines import SECRET_WORDS, make_case

pytestmark = pytest.mark.django_db


def make_decision(by, **fields):
    return StrategicDecision.objects.create(organisation=by.organisation, title=fields.get("title", "Enter Kenya"),
                                            category="market_entry", created_by=by.user)


def links_url(case):
    return f"/grievances/{case.pk}/links/"


def post_link(client, case, kind, target, operation="link"):
    return client.post(links_url(case), {"operation": operation, "kind": kind, "target": target})


def test_link_and_unlink_each_kind_through_the_page(organisation, hr_lead, sign_in):
    case = make_case(organisation)
    risk, decision = make_risk(hr_lead, title="Location leaks"), make_decision(hr_lead)
    mitigation = make_mitigation(hr_lead, risk)
    client = sign_in(hr_lead)
    for kind, target in (("risk", risk), ("mitigation", mitigation), ("decision", decision)):
        assert post_link(client, case, kind, target.pk).status_code == 302
    assert list(case.risks.all()) == [risk] and list(case.mitigations.all()) == [mitigation]
    assert list(case.decisions.all()) == [decision]
    page = client.get(links_url(case)).content.decode()
    assert "Location leaks" in page and "Enter Kenya" in page
    assert post_link(client, case, "risk", risk.pk, "unlink").status_code == 302
    assert not case.risks.exists()
    actions = list(AuditEntry.objects.filter(target_id=str(case.pk)).values_list("action", flat=True))
    assert actions.count("grievance.linked") == 3 and actions.count("grievance.unlinked") == 1


def test_foreign_or_unknown_targets_refused(organisation, hr_lead, outsider, sign_in):
    case = make_case(organisation)
    foreign_risk = make_risk(outsider)
    client = sign_in(hr_lead)
    for kind, target in (("risk", foreign_risk.pk), ("mitigation", make_mitigation(outsider, foreign_risk).pk),
                         ("decision", make_decision(outsider).pk), ("risk", 99_999_999), ("risk", "x"),
                         ("planet", 1), ("risk", 2**70)):
        response = post_link(client, case, kind, target)
        assert response.status_code == 400, (kind, target)
    assert not case.risks.exists() and not case.mitigations.exists() and not case.decisions.exists()


def test_action_refuses_a_foreign_target(organisation, hr_lead, outsider):
    with pytest.raises(Exception, match="Unknown"):
        links.link(grievance=make_case(organisation), target=make_risk(outsider), by=hr_lead)


def test_other_organisations_or_excluded_case_is_not_found(organisation, other_organisation, hr_lead, sign_in):
    client = sign_in(hr_lead)
    assert client.get(links_url(make_case(other_organisation))).status_code == 404
    case = make_case(organisation)
    HandlerExclusion.objects.create(grievance=case, user=hr_lead.user, reason="named", at=case.received_at)
    assert client.get(links_url(case)).status_code == 404
    assert client.get(f"/grievances/{case.pk}/make-risk/").status_code == 404


@pytest.mark.parametrize("role", ["board", "decision_maker", "admin", "auditor"])
def test_only_handlers_open_links(organisation, role, request, sign_in):
    case = make_case(organisation)
    client = sign_in(request.getfixturevalue(role))
    assert client.get(links_url(case)).status_code == 403
    assert client.get(f"/grievances/{case.pk}/make-risk/").status_code == 403


def test_links_page_queries_do_not_grow_with_links(organisation, hr_lead, sign_in, django_assert_max_num_queries):
    case = make_case(organisation)
    client = sign_in(hr_lead)
    client.get(links_url(case))
    for n in range(6):
        risk = make_risk(hr_lead, title=f"Risk {n}")
        links.link(grievance=case, target=risk, by=hr_lead)
        links.link(grievance=case, target=make_mitigation(hr_lead, risk), by=hr_lead)
    with django_assert_max_num_queries(16):
        assert client.get(links_url(case)).status_code == 200


def test_include_for_the_case_page(organisation, hr_lead, rf):
    case = make_case(organisation)
    links.link(grievance=case, target=make_risk(hr_lead, title="Location leaks"), by=hr_lead)
    html = render_to_string("grievances/oversight/_links.html", {"grievance": case})
    assert "Location leaks" in html and f"/grievances/{case.pk}/make-risk/" in html


# Turn into a salient risk ----------------------------------------------------

def risk_form(**fields):
    data = {"title": "Ride location shared with strangers", "product": "SafeRide", "rights": ["privacy"],
            "markets": "KE", "involvement": "cause", "scale": "4", "scope": "3", "irremediability": "3",
            "likelihood": "3", "review_on": "2027-01-01"}
    data.update(fields)
    return data


def test_make_risk_page_starts_from_the_figures_never_the_words(organisation, hr_lead, sign_in):
    case = make_case(organisation, raised_by="staff", product="SafeRide", country="KE", rights=["privacy", "life"],
                     at_risk=["women_and_girls"])
    response = sign_in(hr_lead).get(f"/grievances/{case.pk}/make-risk/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["product"] == "SafeRide" and form.initial["markets"] == "KE"
    assert form.initial["rights"] == ["privacy", "life"]
    assert form.initial["affected_groups"] == "Women and girls"
    page = response.content.decode()
    assert "Amina" not in page and "followed home" not in page


def test_make_risk_creates_a_linked_risk(organisation, hr_lead, sign_in):
    case = make_case(organisation)
    response = sign_in(hr_lead).post(f"/grievances/{case.pk}/make-risk/", risk_form(owner=hr_lead.user.pk))
    risk = Risk.objects.get(organisation=organisation)
    assert response.status_code == 302 and response.url == f"/risks/{risk.pk}/"
    assert list(case.risks.all()) == [risk]
    assert risk.rights_codes == ["privacy"] and risk.market_codes == ["KE"]
    assert case.label in risk.changes.get().reason
    entry = AuditEntry.objects.get(action="grievance.risk_made")
    assert entry.target_id == str(case.pk)
    everything = " ".join(AuditEntry.objects.values_list("summary", flat=True)) + risk.description
    assert SECRET_WORDS not in everything and "Amina" not in everything


def test_make_risk_bad_input_saves_nothing(organisation, hr_lead, sign_in):
    case = make_case(organisation)
    response = sign_in(hr_lead).post(f"/grievances/{case.pk}/make-risk/", risk_form(title="", scale="9"))
    assert response.status_code == 400
    assert not Risk.objects.exists() and not case.risks.exists()


# API -------------------------------------------------------------------------

def test_api_link_and_unlink(organisation, hr_lead, api):
    case = make_case(organisation)
    risk = make_risk(hr_lead)
    client = api(hr_lead)
    response = client.post(f"/api/v1/grievances/{case.pk}/links", {"kind": "risk", "id": risk.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["risks"] == [{"id": risk.pk, "title": risk.title}] and response.json()["changed"]
    assert client.post(f"/api/v1/grievances/{case.pk}/links", {"kind": "risk", "id": risk.pk}).json()[
        "changed"] is False
    assert client.get(f"/api/v1/grievances/{case.pk}/links").json()["number"] == case.label
    response = client._send("delete", f"/api/v1/grievances/{case.pk}/links", {"kind": "risk", "id": risk.pk}, None)
    assert response.status_code == 200 and response.json()["risks"] == []


def test_api_refuses_foreign_targets_and_cases(organisation, other_organisation, hr_lead, outsider, api):
    case = make_case(organisation)
    client = api(hr_lead)
    foreign = make_risk(outsider)
    assert client.post(f"/api/v1/grievances/{case.pk}/links", {"kind": "risk", "id": foreign.pk}).status_code == 404
    assert client.post(f"/api/v1/grievances/{case.pk}/links", {"kind": "star", "id": 1}).status_code == 400
    assert client.post(f"/api/v1/grievances/{case.pk}/links", {"kind": "risk", "id": 0}).status_code == 400
    other = make_case(other_organisation)
    assert client.post(f"/api/v1/grievances/{other.pk}/links",
                       {"kind": "risk", "id": make_risk(hr_lead).pk}).status_code == 404
    assert not case.risks.exists() and not other.risks.exists()


def test_api_roles_without_handling_refused(organisation, board, api):
    case = make_case(organisation)
    assert api(board).get(f"/api/v1/grievances/{case.pk}/links").status_code == 403


def test_api_make_risk_with_the_case_defaults(organisation, hr_lead, api):
    case = make_case(organisation, product="SafeRide", country="KE", rights=["privacy"])
    response = api(hr_lead).post(f"/api/v1/grievances/{case.pk}/risk", {
        "title": "Ride location shared", "involvement": "cause", "scale": 4, "scope": 3, "irremediability": 3,
        "likelihood": 2})
    assert response.status_code == 201, response.json()
    risk = Risk.objects.get(pk=response.json()["risk_id"])
    assert (risk.product, risk.rights_codes, risk.market_codes) == ("SafeRide", ["privacy"], ["KE"])
    assert list(case.risks.all()) == [risk]


def test_api_make_risk_bad_input(organisation, hr_lead, api):
    case = make_case(organisation, rights=[])
    client = api(hr_lead)
    base = {"title": "x", "involvement": "cause", "scale": 4, "scope": 3, "irremediability": 3, "likelihood": 2}
    assert client.post(f"/api/v1/grievances/{case.pk}/risk", base).status_code == 400  # no right at stake
    assert client.post(f"/api/v1/grievances/{case.pk}/risk", {**base, "rights": ["no_such"]}).status_code == 400
    assert client.post(f"/api/v1/grievances/{case.pk}/risk", {**base, "scale": 7}).status_code == 400
    assert client.post(f"/api/v1/grievances/{case.pk}/risk",
                       {**base, "rights": ["privacy"], "owner_id": 99_999}).status_code == 400
    assert not Risk.objects.exists()
