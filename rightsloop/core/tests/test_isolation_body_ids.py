"""Ids in request bodies and page forms: another organisation's id in any of them is refused and changes nothing.

Path ids are swapped by the access matrix and the isolation property test. This test finds the ids
that travel in bodies by itself, so a new field cannot slip past it:

- API: every request body field of the OpenAPI schema that names an object (`*_id`, `*_ids`, or any
  integer field not listed in PLAIN_NUMBERS);
- pages: every choice field of every form a page renders (on GET, and on POST with an empty body),
  model choice fields by their model, other choice fields whose values are numbers by their name.

A field that names an object this test cannot map to a kind of object fails the suite. Each field
is first sent with the caller's own object (the control: it must be accepted, so the refusal below
is the id's doing), then with another organisation's object of the same kind: the answer must refuse
(400, 403, 404, 405 or a form error), show nothing of the other organisation, and leave every table
as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.forms.formsets import BaseFormSet
from django.shortcuts import resolve_url
from django.utils import timezone

from rightsloop.accounts.models import ApiToken, Membership
from rightsloop.accounts.tests.factories import make_organisation
from rightsloop.core.models import AuditChainHead, AuditEntry

from .access_worlds import (
    FOLLOW_UP,
    FOREIGN,
    OWN,
    UNSWAPPED,
    Member,
    Route,
    World,
    api_body,
    body_of,
    build_world,
    give_tokens,
    member,
    new_builder,
    objects_of,
    outcome_of,
    routes,
    swappable,
    url_for,
)

pytestmark = pytest.mark.django_db

# API body fields that name an object, and the kind of world object that fills them. "member" is a
# user of the organisation (an owner); the per-operation table wins over the per-field one.
BODY_FIELD_KINDS = {
    "stakeholder_id": "newcomer", "via_proxy_id": "proxy", "speaker_id": "participation", "owner_id": "member",
    "input_ids": "input", "risk_ids": "risk", "mitigation_ids": "mitigation", "decision_ids": "decision",
    "engagement_ids": "engagement", "theme_ids": "theme", "to_theme_id": "theme",
    "indicator_ids": "indicator", "evidence_ids": "evidence",
    "proxy_id": "proxy",  # affected groups (stakeholders/group_api.py)
    "group_id": "group",  # the affected group a proxy relays an input for (engagements/api.py)
    "affiliation": "newcomer",  # a person's organisation (stakeholders/api.py, engagement load)
    "grantee_id": "newcomer", "engagement_id": "engagement",  # the resourcing ledger (resourcing/api.py)
    "agreement_id": "agreement",  # a payment under the person's agreement (resourcing/api.py)
    "round_id": "rating_round", "stakeholder_ids": "newcomer",  # rating rounds (relationships/rating_api.py)
    # The grievance mechanism (grievances/api_*.py): the group a grievance is filed for, a case's handler and a
    # member kept out of it, the cases of a remedy plan, the proposal an action answers, a delivered action the
    # person confirms, the engagements held on the mechanism
    "on_behalf_of_id": "group", "handler_id": "member", "user_id": "member", "case_id": "grievance",
    "case_ids": "spare_grievance", "proposal_id": "proposal", "action_id": "delivered_action",
    "mechanism_engagement_ids": "engagement",
    # Regional and country assessments (assessments/api.py): who attended a training session, who asked a question
    "attendee_ids": "assessment_partner", "asked_by_id": "assessment_partner",
    # Shared assessments (collaboration/api.py): the assessment to share; an organisation of the installation to
    # invite, which names another organisation by design (access_worlds.UNSWAPPED: never swapped)
    "assessment_id": "assessment_to_share", "organisation_id": "invitable_organisation",
}
OPERATION_FIELD_KINDS: dict[tuple[str, str], str] = {
    # A payment under an agreement is for the agreement's stakeholder (resourcing/api.py).
    ("api:create_payment", "stakeholder_id"): "stakeholder",
    ("api:theme_example", "to_theme_id"): "second_theme",
    ("api:merge_themes", "theme_ids"): "second_theme",
    ("api:unlink_risk_inputs", "input_ids"): "legal_input",
    # A group's words are relayed by the proxy that represents it, taking part in its own name.
    ("api:record_input", "speaker_id"): "proxy_participation",
    ("api:correct_input", "speaker_id"): "proxy_participation",
    # A duplicate merged into an input was recorded for the same speaker in the same engagement.
    ("api:merge_input", "duplicate_id"): "legal_input",
    # An answer is recorded for someone asked in the round.
    ("api:record_rating", "stakeholder_id"): "stakeholder",
    # A case joins a plan from no plan; a case is linked to the risk, and unlinked from the decision it is linked to
    # (access_worlds.grievance_world).
    ("api:add_remedy_plan_case", "case_id"): "spare_grievance",
    ("api:link_grievance", "id"): "risk",
    ("api:unlink_grievance", "id"): "decision",
    # Who attended a board briefing is a board member; who spoke to the board, a stakeholder of the register.
    ("api:record_briefing", "attendees"): "board_member",
    ("api:record_briefing", "stakeholders"): "stakeholder",
    # The risk a public report's salient issue stands for (disclosure/report_api.py).
    ("api:add_issue", "risk_id"): "risk",
    # The salient risk an assessment's finding updates (assessments/api.py).
    ("api:assessment_finding_update_risk", "risk_id"): "risk",
    # Shared assessments (collaboration/api.py): an engagement of one's own not shared yet; one held in the shared
    # assessment, which a pool partner is asked to.
    ("api:share_engagement", "engagement_id"): "spare_engagement",
    ("api:request_pool_partner", "engagement_id"): "shared_engagement",
    # Competing claims (consensus/api/claims.py): the matter a claim is on (a risk, as the body says), its holder (a
    # participation, as the body says).
    **{(f"api:{name}", field): kind for name in ("create_claim", "update_claim")
       for field, kind in (("matter_id", "risk"), ("holder_id", "participation"))},
    # Consensus exercises (consensus/api/exercises.py): the matter an exercise informs; the statement a room votes on;
    # the engagement's participants given a link.
    **{(f"api:{name}", field): kind for name in ("create_consensus_exercise", "update_consensus_exercise")
       for field, kind in (("risk_id", "risk"), ("decision_id", "decision"))},
    ("api:record_exercise_room_votes", "statement_id"): "statement",
    ("api:invite_exercise_participants", "participation_ids"): "participation",
}
# Path ids that differ from the access tests' choice, so that the control changes something.
PATH_KINDS = {"api:unlink_input": {"input_id": "legal_input"},
              # A group the proxy does not speak for yet and no risk touches (stakeholders/group_api.py).
              "api:add_group_representation": {"group_id": "spare_group"},
              "api:link_group_risks": {"group_id": "spare_group"}}
# Lists that need more than one id: the own objects put first, the last one is swapped.
LIST_PREFIX = {("api:merge_themes", "theme_ids"): ("theme",)}
# Body values that make the control request do what the id field is for.
BODY_EXTRAS = {"api:theme_example": {"action": "move"},
               # A grievance linked to a person of the register keeps who they are (confidential).
               "api:record_grievance": {"mode": "confidential"}, "api:grievance_record": {"mode": "confidential"},
               # Only a person belongs to an organisation (engagement load).
               "api:create_stakeholder": {"entity_type": "person"}, "api:update_stakeholder": {"entity_type": "person"}}
# Page form values a rendered form leaves empty, without which it is refused before its ids are looked at.
FORM_EXTRAS = {"relationships:rating-round-create": {
    "title": "A round", "opens_on": str(timezone.localdate()), "closes_on": str(timezone.localdate())},
    # The partner's consent to the shared pool (collaboration/forms.py)
    "collaboration:partner-add": {"role": "facilitator", "consent_method": "written",
                                  "consent_given_on": str(timezone.localdate()), "consent_confirmed": "on"}}
# Integer body fields that are amounts or ratings, not objects.
PLAIN_NUMBERS = {"scale", "scope", "irremediability", "likelihood", "parts", "seed", "themes",
                 "size_estimate",  # an affected group's indicative size
                 "warn_90", "warn_365",  # engagement load thresholds
                 "engagements_expected", "indicative_months", "feedback_within_days",  # an agreement's terms
                 "trust", "influence", "burden", "usefulness", "safety",  # a rating's five scores, 1 to 5
                 "acknowledge_days", "respond_days", "escalate_after_days",  # the grievance mechanism's deadlines
                 "progress",  # a phase of an assessment: percent done
                 "experts", "affected",  # local voices each market of a gated decision needs
                 "min_group_size", "count"}  # a consensus exercise's smallest group shown; links or seats to make

# Page form fields that name an object. Model choice fields are mapped by their model (MODEL_KINDS)
# unless named here; other choice fields with numeric values must be named here or in PLAIN_CHOICES.
FORM_FIELD_KINDS = {
    "via_proxy": "proxy", "owner": "member", "speaker": "participation", "risks": "risk", "engagements": "engagement",
    "inputs": "input", "mitigations": "mitigation", "decisions": "decision", "themes": "theme",
    "theme": "theme", "to": "second_theme", "stakeholder": "newcomer", "user": "member", "input": "input",
    "group": "group",  # affected groups (stakeholders/forms.py)
    "duplicate": "legal_input",  # an input recorded twice, merged into another (engagements/mend_forms.py)
    "affiliation": "newcomer",  # a person's organisation (stakeholders/forms.py, engagement load)
    "stakeholder_ids": "newcomer",  # a rating round's people, by register number (relationships/rating_forms.py)
    "participants": "newcomer",  # people invited several at once from the engagement form (engagements/forms.py)
    "participations": "participation",  # engagement participants given a voting link (consensus/forms.py)
    # The grievance mechanism (grievances/): the group a recorded grievance is filed for, a remedy plan's cases
    "on_behalf_of": "group", "grievance": "grievance", "others": "grievance",
    # A board briefing (oversight/forms.py): the board members who attended, the stakeholders who spoke
    "attendees": "board_member", "stakeholders": "stakeholder",
    # Shared assessments (collaboration/forms.py): the assessment to share, the engagement a partner is asked to
    "assessment": "assessment_to_share", "shared_engagement": "shared_engagement",
    "organisation": "invitable_organisation",  # another organisation of the installation, by design (UNSWAPPED)
}
MODEL_KINDS = {
    "stakeholders.stakeholder": "stakeholder", "engagements.engagement": "engagement", "engagements.input": "input",
    "engagements.participation": "participation", "risks.risk": "risk", "risks.mitigation": "mitigation",
    "risks.strategicdecision": "decision", "consultations.theme": "theme", "accounts.user": "member",
    "risks.indicator": "indicator", "risks.evidence": "evidence",
    "relationships.agreement": "agreement",  # a payment under an agreement (resourcing/forms.py)
    "assessments.assessmentpartner": "assessment_partner",  # attendance and questions of a training session
}
# Choice fields whose numeric values are levels or counts, not objects.
PLAIN_CHOICES = {"scale", "scope", "irremediability", "likelihood", "parts", "keep_days", "per_page",
                 "days",  # how long an API token lives
                 "band",  # the heat map's severity row
                 "region",  # a UN M49 region code
                 "year",  # the resourcing ledger's filter
                 "indicative_months",  # an agreement's indicative months, 1 to 12
                 "months",  # the period of the grievance mechanism's recurring themes
                 "value",  # a consensus vote: 1 agree, -1 disagree, 0 pass
                 "trust", "influence", "burden", "usefulness", "safety"}  # a rating's five scores, 1 to 5


def kind_for_world(world: World, kind: str, who: Member) -> int:
    if kind == "member":
        return world.builder.user.pk
    if kind in ("second_theme", "board_member"):
        return world.objects[kind].pk
    return world.id_of(kind, who)


def own_ids(route: Route, name: str, kind: str, world: World, who: Member) -> list[int]:
    fixed = [kind_for_world(world, k, who) for k in LIST_PREFIX.get((route.name, name), ())]
    return [*fixed, kind_for_world(world, kind, who)]


# What "nothing changed" compares: every row of every table, but for what merely reading leaves behind.
VOLATILE = {
    Session: None,  # each signed-in request may touch its session
    ApiToken: {"last_used_at", "last_used_on"},
    AuditChainHead: None,  # moves with every audit entry; the entries themselves are compared
}
# Audit entries that record a read, not a change: a refused form shows a grievance's case page again, and every
# opening of a case's content is audited (grievances/actions/cases.py record_case_read).
AUDITED_READS = ("grievance.read", "grievance.attachment_read")


def database_state() -> dict[str, list[tuple]]:
    state = {}
    for model in apps.get_models():
        skipped = VOLATILE.get(model, set())
        if skipped is None or model._meta.label.startswith(("axes.", "django_tasks")):
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skipped
                 and not f.attname.startswith("last_")]
        rows = model.objects.order_by("pk")
        if model is AuditEntry:
            rows = rows.exclude(action__in=AUDITED_READS)
        state[model._meta.label] = list(rows.values_list(*names))
    return state


def changes(before: dict, after: dict) -> list[str]:
    found = []
    for label, rows in after.items():
        if rows != before.get(label):
            old = {repr(row) for row in before.get(label, [])}
            new = {repr(row) for row in rows}
            found.append(f"{label}: {len(new - old)} rows added or changed, {len(old - new)} removed or changed")
    return found


@dataclass
class Sent:
    status: int
    body: str
    changed: list[str]
    form_errors: dict[str, list[str]]
    outcome: str = ""  # access_worlds.outcome_of


def forms_in(response) -> Iterator[forms.BaseForm]:
    if response.context is None:
        return
    seen = set()
    # A page of one template (a public report) gives its Context itself; a page of several, a list of them.
    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in contexts:
        for value in context.flatten().values():
            candidates = value.forms if isinstance(value, BaseFormSet) else [value]
            for candidate in candidates:
                if isinstance(candidate, forms.BaseForm) and id(candidate) not in seen:
                    seen.add(id(candidate))
                    yield candidate


@contextmanager
def rolled_back(client) -> Iterator[None]:
    """Requests whose every effect is undone: the database's, and the client's cookies with it. A request may
    change the session by design (following a live portal link ends a staff sign-in in that browser); its
    rows are rolled back, so a cookie naming them would leave the caller signed out for every later page."""
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        client.cookies.clear()
        for name, value in cookies.items():
            client.cookies[name] = value


def send(who: Member, method: str, url: str, *, data=None, json_body=None, before=None) -> Sent:
    """One request, rolled back: its status, body, the tables it changed and the form errors it rendered."""
    client = who.page
    with rolled_back(client):
        if json_body is not None:
            response = client.generic(method, url, data=json.dumps(json_body), content_type="application/json",
                                      HTTP_AUTHORIZATION=f"Bearer {who.api_token}")
        elif method == "GET":
            response = client.get(url, data or {})
        else:
            response = client.post(url, data or {})
        body = body_of(response)
        changed = changes(before, database_state()) if before is not None else []
        errors = {}
        for form in forms_in(response):
            if form.is_bound:
                for name, messages in form.errors.items():
                    errors.setdefault(name, []).extend(messages)
    return Sent(response.status_code, body, changed, errors, outcome_of(response))


# Worlds ------------------------------------------------------------------------------------------

@pytest.fixture
def worlds(sign_in):
    from rightsloop.consultations.actions.themes import add_example
    from rightsloop.consultations.tests.factories import make_final_theme
    from rightsloop.risks.actions import link_inputs

    own_org, other_org = make_organisation("Kestrel Networks"), make_organisation("Other Company")
    callers = {role: member(own_org, role, sign_in) for role in ("hr_lead", "admin")}
    own = build_world(new_builder(own_org), OWN, grant_holders=[m.viewer for m in callers.values()])
    foreign = build_world(new_builder(other_org), FOREIGN)
    for world in (own, foreign):
        consultation = world.objects["consultation"]
        world.objects["second_theme"] = make_final_theme(consultation, f"{world.marker} second theme", [])
        # The response is an example of the theme, so moving it (to another theme) can be tried.
        add_example(theme=world.objects["theme"], response=world.objects["response"], by=world.builder)
        # The legal input is linked to the risk, mitigation and decision, so unlinking them changes something
        # (the other input is not, so linking it does).
        for target in ("risk", "mitigation", "decision"):
            link_inputs(target=world.objects[target], inputs=[world.objects["legal_input"]], by=world.builder)
    give_tokens(own, list(callers.values()))
    give_tokens(foreign, [])
    return callers, own, foreign


# API ---------------------------------------------------------------------------------------------

def _schema_operations() -> dict[tuple[str, str], dict]:
    from rightsloop.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]

    def resolved(node: dict) -> dict:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            properties = resolved(content["application/json"]["schema"]).get("properties", {})
            found[(path, method.upper())] = {name: resolved(spec) for name, spec in properties.items()}
    return found


def _is_integer(spec: dict) -> bool:
    options = [spec, *spec.get("anyOf", []), *spec.get("oneOf", [])]
    for option in options:
        if option.get("type") == "integer" or option.get("format") == "uuid":
            return True
        if option.get("type") == "array" and _is_integer(option.get("items", {})):
            return True
    return False


def body_id_fields() -> dict[Route, list[tuple[str, str, bool]]]:
    """Each API operation's body fields that name an object: (field, kind, is a list)."""
    operations = _schema_operations()
    found, unmapped = {}, []
    for route in routes():
        if not route.is_api or route.methods[0] == "GET":
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.pattern)
        properties = operations.get((path, route.methods[0]), {})
        for name, spec in properties.items():
            names_an_object = name.endswith(("_id", "_ids")) or name in ("id", "ids")
            if not names_an_object and not (_is_integer(spec) and name not in PLAIN_NUMBERS):
                continue
            kind = OPERATION_FIELD_KINDS.get((route.name, name)) or BODY_FIELD_KINDS.get(name)
            if kind is None:
                unmapped.append(f"{route.name}.{name}")
                continue
            if kind in UNSWAPPED:  # names what is the installation's, not an organisation's (access_worlds)
                continue
            is_list = any(option.get("type") == "array" for option in [spec, *spec.get("anyOf", [])])
            found.setdefault(route, []).append((name, kind, is_list))
    assert not unmapped, (
        f"API body fields that may name an object but map to no kind: {unmapped}. Add each to BODY_FIELD_KINDS "
        "(or, if it is a plain number, to PLAIN_NUMBERS) in rightsloop/core/tests/test_isolation_body_ids.py.")
    return found


def test_api_body_ids_of_another_organisation_are_refused(worlds):
    callers, own, foreign = worlds
    who = callers["hr_lead"]
    before = database_state()
    operations = body_id_fields()
    problems, tried = [], 0
    for route, fields in operations.items():
        # Path ids, and the receipt a grievance's own operations carry in their body (access_worlds.UNSWAPPED).
        path_ids = {param: own.id_of(PATH_KINDS.get(route.name, {}).get(param, kind_of), who)
                    for param, kind_of in objects_of(route).items()
                    if not param.startswith("body.") or kind_of in UNSWAPPED}
        url = url_for(route, path_ids)
        method = route.methods[0]
        # The control: every id field filled with the caller's own objects (a list keeps the fixed ones first).
        body = {**api_body(route, path_ids), **BODY_EXTRAS.get(route.name, {})}
        for name, kind, is_list in fields:
            mine = own_ids(route, name, kind, own, who)
            body[name] = mine if is_list else mine[-1]
        control = send(who, method, url, json_body=body, before=before)
        if not 200 <= control.status < 300 or not control.changed:
            problems.append(f"{method} {url}: the control with own ids {body} was not accepted ({control.status}: "
                            f"{control.body[:200]}); fix the body in BODY_EXTRAS or access_worlds.api_body()")
        for name, kind, is_list in fields:
            theirs = kind_for_world(foreign, kind, who)
            swapped = [*body[name][:-1], theirs] if is_list else theirs
            attack = send(who, method, url, json_body={**body, name: swapped}, before=before)
            where = f"{method} {url} {name}={swapped}"
            tried += 1
            if attack.status not in (400, 403, 404, 422):
                problems.append(f"{where}: another organisation's {kind} got {attack.status}")
            if attack.changed:
                problems.append(f"{where}: another organisation's {kind} changed {attack.changed}")
            if FOREIGN in attack.body:
                problems.append(f"{where}: the answer shows another organisation's data")
    print(f"API body ids: {tried} fields of {len(operations)} operations swapped")
    assert tried >= 15
    assert not problems, "\n".join(problems)


# Pages -------------------------------------------------------------------------------------------

def _numeric_choices(field: forms.Field) -> bool:
    if getattr(field, "coerce", None) is int:
        return True
    values = [str(value) for value, _label in getattr(field, "choices", []) if value not in ("", None)]
    return bool(values) and all(value.isdigit() for value in values)


def form_id_kind(route: Route, name: str, field: forms.Field) -> str | None:
    """The kind of object a form field names, "" when it names none, None when it is not mapped."""
    if isinstance(field, forms.ModelChoiceField):
        return FORM_FIELD_KINDS.get(name) or MODEL_KINDS.get(field.queryset.model._meta.label_lower)
    if (isinstance(field, forms.ChoiceField) and _numeric_choices(field)) or name.endswith(("_id", "_ids")):
        if name in PLAIN_CHOICES:
            return ""
        return FORM_FIELD_KINDS.get(name)
    return ""


_UNSEEN = object()


class HtmlForms(HTMLParser):
    """The forms of a page as a browser would submit them: action, method, and the values it would post
    (inputs, checked boxes, selected options, textareas, and the first submit button's name)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = self._select = self._textarea = self._first_option = None
        self._selected = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").upper(),
                          "names": set(), "data": {}, "button": None}
            self.forms.append(self._form)
            return
        if tag == "option" and self._form is not None and self._select:
            self._option(attrs)
            return
        form, name = self._form, attrs.get("name")
        if form is None or not name:
            return
        form["names"].add(name)
        kind = (attrs.get("type") or "").lower()
        if tag == "button" or kind == "submit":
            form["button"] = form["button"] or (name, attrs.get("value", ""))
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:
                form["data"].setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "input" and kind not in ("file", "image", "reset", "button"):
            form["data"].setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select":
            self._select = name
            # A single select with nothing selected sends its first option.
            self._first_option = None if "multiple" in attrs else _UNSEEN
            self._selected = False
        elif tag == "textarea":
            self._textarea = name
            form["data"].setdefault(name, []).append("")

    def _option(self, attrs):
        if self._first_option is _UNSEEN:
            self._first_option = attrs.get("value", "")
        if "selected" in attrs:
            self._selected = True
            self._form["data"].setdefault(self._select, []).append(attrs.get("value", ""))

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            values = self._form["data"][self._textarea]
            # A browser drops the newline that follows <textarea>.
            values[-1] += data.removeprefix("\n") if not values[-1] else data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select:
            if not self._selected and self._first_option not in (None, _UNSEEN):
                self._form["data"].setdefault(self._select, []).append(self._first_option)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def html_forms(body: str) -> list[dict]:
    parser = HtmlForms()
    parser.feed(body)
    return parser.forms


@dataclass
class FormField:
    route: Route
    role: str
    field: str
    name: str  # as posted (with the form's prefix)
    kind: str
    url: str  # where the page's form sends it
    method: str
    data: dict  # the rest of what the form sends


def page_form_fields(callers, own: World) -> list[FormField]:
    found, unmapped = {}, []
    for route in routes():
        if route.is_api or route.name.startswith(("accounts:sign-", "accounts:verify", "accounts:enrol")):
            continue
        try:
            kinds = objects_of(route)
        except AssertionError as error:
            unmapped.append(str(error))
            continue
        for role, who in callers.items():
            url = url_for(route, {param: own.id_of(kind, who) for param, kind in kinds.items()})
            refused = False
            for method in ("GET", "POST"):
                with rolled_back(who.page):
                    response = who.page.get(url) if method == "GET" else who.page.post(url, {})
                    page_forms, body = list(forms_in(response)), body_of(response)
                # A caller signed out would find no forms on any later page, and this test would pass on nothing.
                assert not response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL)), (
                    f"{method} {url} ({route.name}) sent the {role} to sign in: an earlier request ended the session")
                refused = refused or response.status_code == 403
                sent_forms = html_forms(body)
                for form in page_forms:
                    for name, field in form.fields.items():
                        kind = form_id_kind(route, name, field)
                        if kind is None:
                            unmapped.append(f"{route.name} {type(form).__name__}.{name}")
                            continue
                        if not kind or kind in UNSWAPPED:  # none, or the installation's (access_worlds)
                            continue
                        posted = form.add_prefix(name)
                        html = next((f for f in sent_forms if posted in f["names"]), None)
                        if html is None:  # not rendered as a form here (a partial, a hidden section)
                            continue
                        target = html["action"] or url
                        data = {key: values if len(values) > 1 else values[0]
                                for key, values in html["data"].items() if key != posted}
                        if html["button"]:
                            data.setdefault(*html["button"])
                        data.update({key: value for key, value in FORM_EXTRAS.get(route.name, {}).items()
                                     if key != posted and not data.get(key)})
                        found.setdefault((target, html["method"], posted), FormField(
                            route, role, name, posted, kind, target, html["method"], data))
            if not refused:  # the HR lead reached the page: the administrator's forms there are the same
                break
    assert not sorted(set(unmapped)), (
        f"Page form fields that name objects but map to no kind: {sorted(set(unmapped))}. Add each to "
        "FORM_FIELD_KINDS (or, for a level or count, to PLAIN_CHOICES) in "
        "rightsloop/core/tests/test_isolation_body_ids.py.")
    return list(found.values())


def test_page_form_ids_of_another_organisation_are_refused(worlds):
    callers, own, foreign = worlds
    before = database_state()
    fields = page_form_fields(callers, own)
    problems = []
    for found in fields:
        who = callers[found.role]
        theirs = kind_for_world(foreign, found.kind, who)
        where = f"{found.method} {found.url} {found.name}={theirs} (a form of {found.route.name}, as {found.role})"
        sent = send(who, found.method, found.url, data={**found.data, found.name: theirs}, before=before)
        if sent.changed:
            problems.append(f"{where}: another organisation's {found.kind} changed {sent.changed}")
        if FOREIGN in sent.body:
            problems.append(f"{where}: the page shows another organisation's data")
        if found.method == "POST" and sent.status not in (403, 404, 405) and found.field not in sent.form_errors:
            problems.append(f"{where}: another organisation's {found.kind} was not refused "
                            f"({sent.status}, form errors {sent.form_errors})")
    names = {(found.route.name, found.name) for found in fields}
    # The fields the review named: a participant's proxy, owners, a decision's engagements, themes.
    assert {("engagements:participant-add", "via_proxy"), ("risks:edit", "owner"),
            ("risks:decision-edit", "engagements")} <= names
    print(f"page form ids: {len(fields)} fields of {len({f.route.name for f in fields})} pages swapped")
    assert len(fields) >= 18
    assert not problems, "\n".join(problems)


def test_filled_forms_sent_to_another_organisations_objects_change_nothing(worlds):
    """Every page with ids in its path (memberships, invitations and tokens among them), posted with the form its
    own object's page shows, filled in, but with the ids of another organisation's objects: refused, unchanged."""
    callers, own, foreign = worlds
    before = database_state()
    problems, tried, kinds_tried = [], 0, set()
    for route in routes():
        kinds = objects_of(route)
        if route.is_api or not swappable(route):
            continue
        who = callers["admin" if route.name.startswith("accounts:") else "hr_lead"]
        own_url = url_for(route, {param: own.id_of(kind, who) for param, kind in kinds.items()})
        # An organisation's slug stays the own one's: it is public (access_worlds.UNSWAPPED).
        foreign_url = url_for(route, {param: (own if kind in UNSWAPPED else foreign).id_of(kind, None)
                                      for param, kind in kinds.items()})
        with transaction.atomic():
            page = body_of(who.page.get(own_url))
            transaction.set_rollback(True)
        posted = next((form for form in html_forms(page) if form["method"] == "POST"
                       and form["action"] in ("", own_url)), {"data": {}, "button": None})
        data = {key: values if len(values) > 1 else values[0] for key, values in posted["data"].items()}
        if posted["button"]:
            data.setdefault(*posted["button"])
        sent = send(who, "POST", foreign_url, data=data, before=before)
        tried += 1
        kinds_tried |= set(kinds.values())
        where = f"POST {foreign_url} ({route.name}) with {sorted(data)}"
        # A grievance's follow-up page without a follow-up session sends to the receipt form, looking nothing up.
        if sent.status not in (403, 404, 405) and sent.outcome != FOLLOW_UP:
            problems.append(f"{where}: {sent.status}")
        if sent.changed:
            problems.append(f"{where}: changed {sent.changed}")
        if FOREIGN in sent.body:
            problems.append(f"{where}: the page shows another organisation's data")
    print(f"filled forms: {tried} pages posted with another organisation's ids")
    assert {"membership", "token", "invitation"} <= kinds_tried and tried >= 30
    assert not problems, "\n".join(problems)


def test_another_organisations_membership_invitation_and_token_stay_as_they_were(worlds):
    callers, _own, foreign = worlds
    admin = callers["admin"]
    membership, token = foreign.objects["membership"], foreign.tokens[foreign.builder.user.pk]
    invitation = foreign.objects["invitation"]
    before = database_state()

    answers = [
        send(admin, "POST", f"/accounts/members/{membership.pk}/",
             data={"role": "auditor", "is_active": "", "function": ""}, before=before),
        send(admin, "POST", f"/accounts/tokens/{token.pk}/revoke/", before=before),
        send(admin, "POST", f"/accounts/members/invitations/{invitation.pk}/withdraw/", before=before),
        # An invitation is accepted only by the person it names: not by an administrator elsewhere.
        send(admin, "POST", f"/accounts/invitations/{invitation.pk}/accept/", before=before),
        send(admin, "POST", f"/accounts/invitations/{invitation.pk}/decline/", before=before),
    ]

    assert [answer.status for answer in answers] == [404] * 5
    assert [answer.changed for answer in answers] == [[]] * 5
    assert not any(FOREIGN in answer.body for answer in answers)
    assert Membership.objects.get(pk=membership.pk).role == membership.role
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    invitation.refresh_from_db()
    assert (invitation.accepted_at, invitation.declined_at, invitation.withdrawn_at) == (None, None, None)
