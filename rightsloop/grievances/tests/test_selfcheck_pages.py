"""The self-check page and API, and the organisation's own assessment (history kept, the newest stands)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.core.registry import site
from rightsloop.core.sealing import SealedModel
from rightsloop.grievances import selfcheck
from rightsloop.grievances.actions import cases as case_actions
from rightsloop.grievances.actions.assessments import assess
from rightsloop.grievances.models import SelfAssessment
from rightsloop.grievances.vocabulary import Assessment, Channel, Criterion

from . import factories_cases as cases_factory
from .factories_selfcheck import make_case, quarter_of_cases

PAGE = "/grievances/self-check/"
ASSESS = "/grievances/self-check/assess/"
API = "/api/v1/grievance-self-check"
# Words of the cases (sealed) and of the messages: none may reach the page or the API.
CONTENT = ["Secret account", "Amina", "Joseph", "We read it", "We are checking", "Go to the regulator",
           "We changed the setting", "Private words", "They did not listen", "What they said", "Do a thing"]


@pytest.fixture
def quarter(organisation, hr_lead):
    handlers = [make_member(organisation, Role.HR_LEAD).user for _n in range(3)]
    return quarter_of_cases(organisation, hr_lead, handlers)


@pytest.fixture
def never_open_sealed(monkeypatch):
    """Fail if anything opens a sealed field while the page or the API is made."""
    def refuse(self, name, sealed):
        raise AssertionError(f"the self-check opened {self._meta.label}.{name}")

    monkeypatch.setattr(SealedModel, "open_sealed_field", refuse)


# Who sees it ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [(Role.BOARD, 200), (Role.AUDITOR, 200), (Role.HR_LEAD, 200),
                                              (Role.ADMIN, 200), (Role.DECISION_MAKER, 403)])
def test_who_sees_the_page(organisation, sign_in, role, status):
    response = sign_in(make_member(organisation, role)).get(PAGE)
    assert response.status_code == status


def test_the_board_sees_every_criterion_and_no_content(organisation, board, sign_in, quarter, never_open_sealed):
    response = sign_in(board).get(PAGE, {"period": "2026-Q4"})
    assert response.status_code == 200
    page = response.content.decode()
    for _code, label in Criterion.choices:
        assert str(label) in page
    assert "Appeals heard by a different handler" in page and "1 of 3 (33%)" in page
    assert "Trend per quarter" in page and "Q3 2026" in page and "Q4 2025" in page
    for words in CONTENT:
        assert words not in page
    assert "See these cases" not in page  # the board may not open cases: no links to them
    assert 'action="/grievances/self-check/assess/"' not in page  # nor assess the mechanism


def test_a_handler_follows_links_down_to_the_cases(organisation, hr_lead, sign_in, quarter):
    page = sign_in(hr_lead).get(PAGE, {"period": "2026-Q4"}).content.decode()
    assert 'href="/grievances/?overdue=1"' in page
    assert f'href="/grievances/?channel={Channel.HOTLINE}"' in page
    assert 'href="/grievances/?appealed=1"' in page
    listed = sign_in(hr_lead).get("/grievances/", {"overdue": "1"})
    assert listed.status_code == 200


def test_the_period_selector_works_without_javascript(organisation, board, sign_in):
    page = sign_in(board).get(PAGE, {"period": "2026-Q2"}).content.decode()
    assert "<script" not in page.split("</head>")[1]
    assert 'href="?period=2026-Q1"' in page and 'href="?period=2026-Q3"' in page and 'href="?period=2026"' in page
    assert '<option value="2026-Q2" selected>' in page
    year = sign_in(board).get(PAGE, {"period": "2025"})
    assert year.status_code == 200 and 'href="?period=2024"' in year.content.decode()


@pytest.mark.parametrize("period", ["2026-Q5", "yesterday", "1066", "2026-Q4'><script>", "9" * 50])
def test_a_bad_period_answers_400_with_the_current_quarter(organisation, board, sign_in, period):
    response = sign_in(board).get(PAGE, {"period": period})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a year" in page and "Showing the current quarter" in page
    assert "<script>" not in page.split("</head>")[1]


def test_the_page_reads_a_bounded_number_of_queries(organisation, board, sign_in, quarter,
                                                    django_assert_max_num_queries):
    client = sign_in(board)
    client.get(PAGE)  # warm the session
    with django_assert_max_num_queries(60):
        assert client.get(PAGE, {"period": "2026-Q4"}).status_code == 200
    for n in range(40):
        make_case(organisation, received=f"2026-10-{n % 28 + 1:02d}", channel=Channel.values[n % 9],
                  language=["en", "pt", "hi", "ar"][n % 4], at_risk=["child"], rights=["health"])
    cache.clear()  # the cases above were written without an action: compute the figures again
    with django_assert_max_num_queries(60):
        assert client.get(PAGE, {"period": "2026-Q4"}).status_code == 200


def test_the_figures_are_remembered_until_a_change_is_recorded(organisation, board, hr_lead, sign_in,
                                                               django_assert_max_num_queries):
    client = sign_in(board)
    def main_part():
        return client.get(PAGE).content.decode().split("<main")[1]  # the page's head carries a fresh CSRF token

    first = main_part()
    assert "No case was received in this period." in first
    # Written without an action, so without an audit entry: the remembered figures still stand...
    grievance = cases_factory.make_case(organisation, handler=hr_lead.user)
    with django_assert_max_num_queries(12):  # the sign-in's reads and the version: no figure is counted
        assert main_part() == first
    # ...until the organisation records a change through an action, which the next read counts at once.
    case_actions.acknowledge(grievance=grievance, by=hr_lead)
    page = main_part()
    assert "No case was received in this period." not in page
    assert AuditEntry.objects.filter(action="grievance.read").count() == 0
    # A read (a case opened) is not a change: it leaves the remembered figures in place.
    version = selfcheck.figures_version(organisation)
    case_actions.record_case_read(grievance=grievance, by=hr_lead, where="page")
    assert selfcheck.figures_version(organisation) == version


def test_the_menu_offers_the_page_to_overseers(organisation, board, decision_maker):
    assert "grievances:self-check" in [entry.url_name for entry in site.menu_for(board)]
    assert "grievances:self-check" not in [entry.url_name for entry in site.menu_for(decision_maker)]


# The organisation's own assessment ----------------------------------------------------------------------------------

def test_assessments_are_appended_and_the_newest_stands(organisation, hr_lead, sign_in):
    first = assess(organisation=organisation, criterion=Criterion.PREDICTABLE, assessment=Assessment.NOT_YET,
                   notes="Deadlines missed in Q3.", by=hr_lead)
    second = assess(organisation=organisation, criterion=Criterion.PREDICTABLE, assessment=Assessment.PARTLY,
                    notes="  Better: the reminders work.  ", by=hr_lead)
    assert SelfAssessment.objects.count() == 2 and second.notes == "Better: the reminders work."
    entry = AuditEntry.objects.filter(action="grievance.self_assessed").latest("sequence")
    assert entry.target_id == str(second.pk) and entry.actor == hr_lead.user
    assert "reminders" not in entry.summary and "Deadlines" not in entry.summary
    page = sign_in(hr_lead).get(PAGE).content.decode()
    predictable = page.split('id="predictable"')[1].split("</section>")[0]
    assert "Partly meets it" in predictable and "Better: the reminders work." in predictable
    assert "1 earlier assessment" in predictable and "Deadlines missed in Q3." in predictable
    assert first.pk != second.pk


@pytest.mark.parametrize(("changes", "field"), [({"criterion": "popular"}, "criterion"),
                                                 ({"assessment": "great"}, "assessment"),
                                                 ({"notes": "x" * 5001}, "notes")])
def test_a_bad_assessment_is_refused_and_nothing_saved(organisation, hr_lead, changes, field):
    values = {"criterion": Criterion.LEGITIMATE, "assessment": Assessment.MEETS, "notes": ""} | changes
    with pytest.raises(ValidationError) as refused:
        assess(organisation=organisation, by=hr_lead, **values)
    assert field in refused.value.message_dict
    assert not SelfAssessment.objects.exists()


def test_only_configure_holders_of_the_organisation_assess(organisation, board, auditor, outsider):
    for viewer in (board, auditor):
        with pytest.raises(PermissionDenied):
            assess(organisation=organisation, criterion=Criterion.LEGITIMATE, assessment=Assessment.MEETS,
                   notes="", by=viewer)
    with pytest.raises(PermissionDenied):
        assess(organisation=organisation, criterion=Criterion.LEGITIMATE, assessment=Assessment.MEETS, notes="",
               by=outsider)
    assert not SelfAssessment.objects.exists()


def test_the_page_records_an_assessment(organisation, admin, sign_in):
    client = sign_in(admin)
    response = client.post(ASSESS, {"criterion": "equitable", "period": "2026-Q3",
                                    "equitable-assessment": "meets", "equitable-notes": "Advisers funded."})
    assert response.status_code == 302
    assert response["Location"] == "/grievances/self-check/?period=2026-Q3#equitable"
    row = SelfAssessment.objects.get()
    assert (row.criterion, row.assessment, row.notes, row.by) == ("equitable", "meets", "Advisers funded.", admin.user)


def test_the_page_re_renders_a_bad_assessment_with_its_errors(organisation, hr_lead, sign_in):
    client = sign_in(hr_lead)
    response = client.post(ASSESS, {"criterion": "equitable", "equitable-assessment": "superb"})
    assert response.status_code == 400
    assert 'id="equitable"' in response.content.decode() and "errorlist" in response.content.decode()
    unknown = client.post(ASSESS, {"criterion": "popular", "popular-assessment": "meets"})
    assert unknown.status_code == 400
    assert not SelfAssessment.objects.exists()


def test_the_board_may_not_post_an_assessment(organisation, board, sign_in):
    response = sign_in(board).post(ASSESS, {"criterion": "equitable", "equitable-assessment": "meets"})
    assert response.status_code == 403
    assert not SelfAssessment.objects.exists()


# The API -------------------------------------------------------------------------------------------------------------

def test_the_api_answers_the_figures_of_a_period(organisation, board, api, quarter, never_open_sealed):
    response = api(board).get(API, {"period": "2026-Q4"})
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["starts_on"], body["ends_on"]) == ("2026-Q4", "2026-10-01", "2026-12-31")
    assert [item["criterion"] for item in body["criteria"]] == list(Criterion.values)
    legitimate = body["criteria"][0]
    appeals = next(item for item in legitimate["figures"] if item["key"] == "appeals_independent")
    assert (appeals["kind"], appeals["numerator"], appeals["denominator"]) == ("share", 1, 3)
    assert legitimate["trend"]["figure"] == "appeals_independent"
    assert [point["period"] for point in legitimate["trend"]["points"]][-2:] == ["2026-Q3", "2026-Q4"]
    accessible = body["criteria"][1]
    received = next(item for item in accessible["figures"] if item["key"] == "received")
    assert received["value"] == 5 and {part["key"] for part in received["parts"]} == {"web", "hotline", "sms"}
    for words in CONTENT:
        assert words not in response.content.decode()


def test_the_api_year_and_default(organisation, board, api):
    assert api(board).get(API, {"period": "2026"}).json()["ends_on"] == "2026-12-31"
    assert api(board).get(API).status_code == 200


@pytest.mark.parametrize("period", ["2026-Q9", "soon", "20260", "", "2026-Q4\n"])
def test_the_api_refuses_a_bad_period(organisation, board, api, period):
    response = api(board).get(API, {"period": period})
    if period in ("", "2026-Q4\n"):  # empty means the current quarter; a trailing newline is whitespace
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


def test_the_api_is_for_overseers(organisation, decision_maker, api):
    assert api(decision_maker).get(API).status_code == 403


def test_the_api_records_an_assessment(organisation, hr_lead, board, api):
    response = api(hr_lead).post(f"{API}/assessments", {"criterion": "transparent", "assessment": "partly",
                                                        "notes": "Notes on stages are rare."})
    assert response.status_code == 201
    assert response.json()["criterion"] == "transparent" and response.json()["assessment"] == "partly"
    again = api(hr_lead).post(f"{API}/assessments", {"criterion": "transparent", "assessment": "meets"})
    assert again.status_code == 201
    transparent = next(item for item in api(board).get(API).json()["criteria"]
                       if item["criterion"] == "transparent")
    assert transparent["assessment"]["assessment"] == "meets"
    assert [item["notes"] for item in transparent["earlier_assessments"]] == ["Notes on stages are rare."]


@pytest.mark.parametrize("body", [{"criterion": "transparent", "assessment": "fine"},
                                  {"criterion": "nice", "assessment": "meets"},
                                  {"assessment": "meets"},
                                  {"criterion": "transparent", "assessment": "meets", "notes": "x" * 5001},
                                  {"criterion": "transparent", "assessment": "meets", "notes": 12}])
def test_the_api_refuses_a_bad_assessment(organisation, hr_lead, api, body):
    response = api(hr_lead).post(f"{API}/assessments", body)
    assert response.status_code == 400 and response.json()["errors"]
    assert not SelfAssessment.objects.exists()


def test_the_board_may_not_assess_through_the_api(organisation, board, api):
    response = api(board).post(f"{API}/assessments", {"criterion": "transparent", "assessment": "meets"})
    assert response.status_code == 403
    assert not SelfAssessment.objects.exists()


def test_another_organisation_sees_only_its_own(organisation, outsider, hr_lead, api, quarter):
    assess(organisation=organisation, criterion=Criterion.LEGITIMATE, assessment=Assessment.MEETS, notes="Ours",
           by=hr_lead)
    body = api(outsider).get(API, {"period": "2026-Q4"}).json()
    assert body["criteria"][0]["assessment"] is None
    received = next(item for item in body["criteria"][1]["figures"] if item["key"] == "received")
    assert received["value"] == 0
