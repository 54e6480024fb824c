"""Inputs a proxy relays for an affected group (issue 12): the group's words, never a person's at risk."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightsloop.core import sealing
from rightsloop.core.models import AuditEntry
from rightsloop.engagements import actions, subjects
from rightsloop.engagements.models import Input
from rightsloop.engagements.queries import speaker_label
from rightsloop.engagements.reports import build_report
from rightsloop.engagements.representation import who_was_heard
from rightsloop.stakeholders.actions import record_consent
from rightsloop.stakeholders.models import AffectedGroup
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.queries import hidden_from
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import (
    make_engagement,
    make_group,
    make_input,
    make_participation,
    make_relayed_input,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(hr_lead):
    """A defender at high risk, in a group of defenders that an NGO (a credible proxy) speaks for."""
    engagement = make_engagement(hr_lead, title="Safety of defenders on our platform")
    defender = make_stakeholder(hr_lead, name="Amani Secret", safety_level="high", country="KE",
                                languages=["sw"], at_risk=["journalist"])
    ngo = make_stakeholder(hr_lead, kind="proxy", name="Defenders Network", country="KE", languages=["en"])
    group = make_group(hr_lead, ngo, members=[defender], name="Defenders in the north", countries=["KE", "UG"],
                       languages=["sw", "lg"], at_risk=["human_rights_defender"])
    return engagement, defender, ngo, group


def _attributable(stakeholder, by):
    record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=True, method="written",
                   given_on=TODAY, by=by)


# Recording -------------------------------------------------------------------

def test_a_relayed_input_is_the_groups_sealed_under_the_organisations_key(hr_lead, world):
    engagement, _defender, ngo, group = world
    channel = make_participation(hr_lead, engagement, ngo)
    item, created = actions.record_input(engagement=engagement, speaker=channel, group=group,
                                         text="Our members are followed after they post.", by=hr_lead)
    assert created and item.group == group and item.speaker == channel
    assert bytes(item.text_sealed)[0] == sealing.ORGANISATION_FORMAT
    assert Input.objects.get(pk=item.pk).text == "Our members are followed after they post."
    # Relaying for the group makes the proxy speak for it here, and the audit says so by ids only.
    assert list(channel.speaks_for.all()) == [group]
    entry = AuditEntry.objects.filter(action="input.recorded").latest("id")
    assert f"relayed for group #{group.pk}" in entry.summary and "Defenders" not in entry.summary
    channel.refresh_from_db()
    assert channel.inputs_count == 1


def test_only_a_proxy_that_represents_the_group_can_relay_for_it(hr_lead, world, other_organisation):
    engagement, _defender, ngo, group = world
    stranger_ngo = make_stakeholder(hr_lead, kind="proxy", name="Another NGO")
    rider = make_stakeholder(hr_lead, kind="affected")
    cases = [
        (make_participation(hr_lead, engagement, stranger_ngo), group, "group"),
        (make_participation(hr_lead, engagement, rider), group, "speaker"),
        (None, group, "speaker"),
    ]
    for speaker, chosen, field in cases:
        with pytest.raises(ValidationError) as caught:
            actions.record_input(engagement=engagement, speaker=speaker, group=chosen, text="x", by=hr_lead)
        assert field in caught.value.message_dict
    elsewhere = AffectedGroup.objects.create(organisation=other_organisation, name="Elsewhere")
    with pytest.raises(ValidationError) as caught:
        actions.record_input(engagement=engagement, speaker=make_participation(hr_lead, engagement, ngo),
                             group=elsewhere, text="x", by=hr_lead)
    assert "group" in caught.value.message_dict
    assert not Input.objects.exists()


def test_a_proxy_whose_mandate_ended_no_longer_relays_for_the_group(hr_lead, world):
    from rightsloop.stakeholders.groups import end_representation

    engagement, _defender, ngo, group = world
    make_group(hr_lead, ngo)  # a proxy keeps at least one group
    channel = make_participation(hr_lead, engagement, ngo)
    end_representation(representation=ngo.representations.get(group=group), by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.record_input(engagement=engagement, speaker=channel, group=group, text="x", by=hr_lead)
    assert "group" in caught.value.message_dict
    assert not Input.objects.exists()


@pytest.mark.parametrize("safety_level", ["elevated", "high"])
def test_words_relayed_for_a_person_at_risk_are_refused_on_their_record(hr_lead, safety_level):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level=safety_level)
    ngo = make_stakeholder(hr_lead, kind="proxy")
    participation = make_participation(hr_lead, engagement, person, via_proxy=ngo)
    with pytest.raises(ValidationError) as caught:
        actions.record_input(engagement=engagement, speaker=participation, text="They follow us.", by=hr_lead)
    assert "affected group" in caught.value.message_dict["speaker"][0]
    assert not Input.objects.exists()


def test_a_person_at_normal_safety_may_still_speak_through_a_proxy(hr_lead):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead)
    participation = make_participation(hr_lead, engagement, person, via_proxy=make_stakeholder(hr_lead, kind="proxy"))
    assert make_input(hr_lead, engagement, participation).speaker == participation


def test_a_proxy_takes_part_only_for_groups_it_represents(hr_lead, world):
    engagement, defender, ngo, group = world
    unrepresented = make_group(hr_lead, name="Riders in Lagos")
    with pytest.raises(ValidationError) as caught:
        make_participation(hr_lead, engagement, ngo, speaks_for=[group, unrepresented])
    assert "speaks_for" in caught.value.message_dict
    with pytest.raises(ValidationError):
        make_participation(hr_lead, engagement, defender, via_proxy=ngo, speaks_for=[group])
    participation = make_participation(hr_lead, engagement, ngo, speaks_for=[group])
    assert list(participation.speaks_for.all()) == [group]


# Who it shows as -------------------------------------------------------------

def test_a_relayed_input_shows_as_the_group_through_the_proxy_as_its_safety_allows(hr_lead, auditor, world):
    engagement, _defender, ngo, group = world
    _attributable(ngo, hr_lead)
    named = make_relayed_input(hr_lead, engagement, ngo, group)
    assert speaker_label(named, auditor) == "Defenders in the north, through Defenders Network"
    unnamed = make_input(hr_lead, engagement, named.speaker, group=group, attribution="anonymised")
    assert speaker_label(unnamed, auditor) == "Defenders in the north, through a proxy"
    # A proxy at high risk: a pseudonym to those who hold a grant on it, nothing to the others.
    hidden_ngo = make_stakeholder(hr_lead, kind="proxy", name="Underground Collective", safety_level="high")
    south = make_group(hr_lead, hidden_ngo, name="Defenders in the south")
    # A proxy at high risk takes part directly only by an audited override, like anyone at high risk.
    make_participation(hr_lead, engagement, hidden_ngo, override_reason="Meets us on a secure line",
                       speaks_for=[south])
    relayed = make_relayed_input(hr_lead, engagement, hidden_ngo, south)
    assert speaker_label(relayed, auditor) == "Defenders in the south, through a proxy"
    assert speaker_label(relayed, hr_lead) == "Defenders in the south, through a proxy"  # never attributed
    relayed.attribution = "attributed"  # even so, the high-risk proxy is a pseudonym at most
    assert speaker_label(relayed, hr_lead) == f"Defenders in the south, through {pseudonym(hidden_ngo.pk)}"
    assert speaker_label(relayed, auditor) == "Defenders in the south, through a proxy"


def test_the_live_form_records_for_a_group_and_never_names_the_member(hr_lead, auditor, sign_in, world):
    engagement, defender, ngo, group = world
    channel = make_participation(hr_lead, engagement, ngo)
    make_participation(hr_lead, engagement, defender, via_proxy=ngo)
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/inputs/"
    page = client.get(url).content.decode()
    relay = f'value="{channel.pk}:{group.pk}"'
    assert relay in page and "Defenders in the north, through Defenders Network" in page
    # The defender's own participation is no choice: what the proxy relays is not theirs to carry.
    assert f'value="{defender.participations.get().pk}"' not in page
    response = client.post(url, {"speaker": f"{channel.pk}:{group.pk}", "text": "We are followed home.",
                                 "owning_function": "policy"})
    assert response.status_code == 302
    item = Input.objects.get()
    assert (item.group, item.speaker) == (group, channel)
    refused = client.post(url, {"speaker": str(defender.participations.get().pk), "text": "x"})
    assert refused.status_code == 400
    other = make_group(hr_lead, name="Not represented")
    bad = client.post(url, {"speaker": f"{channel.pk}:{other.pk}", "text": "x"})
    assert bad.status_code == 400 and Input.objects.count() == 1
    for viewer in (hr_lead, auditor):
        for address in (url, f"{url}?group={group.pk}", f"/engagements/{engagement.pk}/",
                        f"/engagements/{engagement.pk}/feedback/", f"/engagements/inputs/{item.pk}/decide/"):
            response = sign_in(viewer).get(address)
            assert response.status_code == 200 or viewer is auditor, address
            shown = response.content.decode()
            assert "Amani Secret" not in shown, address
            # The grant holder sees the defender take part (by pseudonym) on the engagement, never beside words.
            if viewer is auditor or address != f"/engagements/{engagement.pk}/":
                assert pseudonym(defender.pk) not in shown, address
    assert "Defenders in the north, through a proxy" in sign_in(auditor).get(url).content.decode()


def test_the_inputs_page_filters_by_group(hr_lead, sign_in, world):
    engagement, _defender, ngo, group = world
    relayed = make_relayed_input(hr_lead, engagement, ngo, group, text="Relayed words")
    make_input(hr_lead, engagement, None, text="A note of our own")
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/inputs/"
    assert "Relayed words" in client.get(url).content.decode()
    only_group = client.get(f"{url}?group={group.pk}").content.decode()
    assert "Relayed words" in only_group and "A note of our own" not in only_group
    direct = client.get(f"{url}?relayed=no").content.decode()
    assert "Relayed words" not in direct and "A note of our own" in direct
    assert relayed.group_id == group.pk


def test_the_participant_page_says_which_groups_a_proxy_may_relay_for(hr_lead, sign_in, world):
    engagement, _defender, ngo, group = world
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/participants/add/{ngo.pk}/"
    assert "Defenders in the north" in client.get(url).content.decode()
    assert client.post(url, {"via_proxy": ""}).status_code == 302
    make_relayed_input(hr_lead, engagement, ngo, group)
    assert "Speaks for: Defenders in the north" in client.get(f"/engagements/{engagement.pk}/").content.decode()


# API -------------------------------------------------------------------------

def test_the_api_records_and_lists_a_groups_words(hr_lead, auditor, api, world):
    engagement, defender, ngo, group = world
    client = api(hr_lead)
    joined = client.post(f"/api/v1/engagements/{engagement.pk}/participants", {"stakeholder_id": ngo.pk})
    assert joined.status_code == 201 and joined.json()["speaks_for_group_ids"] == []
    channel = joined.json()["id"]
    created = client.post(f"/api/v1/engagements/{engagement.pk}/inputs",
                          {"text": "Our members are followed.", "speaker_id": channel, "group_id": group.pk})
    assert created.status_code == 201
    body = created.json()
    assert body["group_id"] == group.pk and body["group"] == "Defenders in the north"
    assert body["speaker"] == "Defenders in the north, through a proxy"  # the NGO gave no consent to be named
    participants = client.get(f"/api/v1/engagements/{engagement.pk}/participants").json()
    assert [p["speaks_for_group_ids"] for p in participants if p["id"] == channel] == [[group.pk]]
    unknown = client.post(f"/api/v1/engagements/{engagement.pk}/inputs",
                          {"text": "x", "speaker_id": channel, "group_id": 999_999})
    assert unknown.status_code == 400 and "group_id" in unknown.json()["errors"]
    make_input(hr_lead, engagement, None, text="Own note")
    listed = api(auditor).get(f"/api/v1/engagements/{engagement.pk}/inputs?group_id={group.pk}").json()
    assert [row["text"] for row in listed["items"]] == ["Our members are followed."]
    direct = api(auditor).get(f"/api/v1/engagements/{engagement.pk}/inputs?relayed=false").json()
    assert [row["text"] for row in direct["items"]] == ["Own note"]
    everything = api(auditor).get(f"/api/v1/engagements/{engagement.pk}/inputs").content.decode()
    assert "Amani Secret" not in everything and pseudonym(defender.pk) not in everything
    assert [row["speaker_id"] for row in listed["items"]] == [channel]


# Feedback --------------------------------------------------------------------

def test_the_report_on_a_groups_words_goes_to_the_proxy_to_pass_on(hr_lead, world):
    engagement, _defender, ngo, group = world
    item = make_relayed_input(hr_lead, engagement, ngo, group, text="Hide who follows whom.")
    actions.record_decision(input=item, outcome="not_adopted", rationale="Followers are public by law here.",
                            by=hr_lead)
    channel = item.speaker
    report = build_report(channel)
    assert "please pass it on to them" in report.body and "Defenders in the north" in report.body
    assert "For Defenders in the north: “Hide who follows whom.”" in report.body
    assert report.relayed_for == ["Defenders in the north"]
    channel.refresh_from_db()
    assert not channel.loop_closed
    actions.mark_feedback_delivered(participation=channel, channel="in_person", by=hr_lead)
    channel.refresh_from_db()
    engagement.refresh_from_db()
    assert channel.loop_closed and engagement.loop_state == "closed"


# Who was heard ---------------------------------------------------------------

def test_a_group_heard_through_its_proxy_is_an_affected_voice_through_a_proxy(hr_lead, world):
    engagement, _defender, ngo, group = world
    for _ in range(3):
        make_relayed_input(hr_lead, engagement, ngo, group)
    scholar = make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"])
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, scholar))

    heard = who_was_heard(Input.objects.filter(engagement=engagement), markets=["UG"])

    assert (heard.inputs, heard.voices) == (4, 1)  # the proxy is the channel, not a voice of its own
    assert dict(heard.by_kind) == {"Expert stakeholder": 1}
    groups = heard.through_proxy
    assert (groups.groups, groups.inputs) == (1, 3)
    assert dict(groups.by_region) == {"Africa": 1}
    assert groups.global_south == {"yes": 1, "no": 0, "unknown": 0}
    assert dict(groups.by_language) == {"Swahili": 1, "Ganda": 1}
    assert dict(groups.by_at_risk) == {"Human rights defender": 1}
    # Uganda's market is reached through the group: no gap for affected, local, language or Global South voices.
    assert not any(gap.startswith("No ") for gap in heard.gaps)
    assert heard.notes == ["Affected people were heard only through proxies speaking for their groups."]


def test_without_groups_the_affected_voices_gap_stays(hr_lead):
    engagement = make_engagement(hr_lead)
    scholar = make_stakeholder(hr_lead, kind="expert", country="FR")
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, scholar))
    heard = who_was_heard(Input.objects.filter(engagement=engagement))
    assert heard.through_proxy.groups == 0 and heard.gaps[0].startswith("No affected voices")


def test_a_groups_count_never_tells_of_its_protected_members(hr_lead, auditor, world):
    engagement, _defender, ngo, group = world
    make_relayed_input(hr_lead, engagement, ngo, group)
    for viewer in (hr_lead, auditor):
        heard = who_was_heard(Input.objects.filter(engagement=engagement), hidden=hidden_from(viewer))
        # The member's own traits (journalist) never enter the breakdown: only the group's do.
        assert heard.by_at_risk == [] and dict(heard.through_proxy.by_at_risk) == {"Human rights defender": 1}
        assert heard.through_proxy.groups == 1 and heard.unattributed_inputs == 0 and heard.voices == 0


def test_who_was_heard_reads_groups_in_bounded_queries(hr_lead, django_assert_max_num_queries):
    engagement = make_engagement(hr_lead)
    for number in range(6):
        ngo = make_stakeholder(hr_lead, kind="proxy")
        group = make_group(hr_lead, ngo, name=f"Group {number}", countries=["KE", "BR"], languages=["sw", "pt"])
        for _ in range(2):
            make_relayed_input(hr_lead, engagement, ngo, group)
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    with django_assert_max_num_queries(6):
        heard = who_was_heard(Input.objects.filter(engagement=engagement), markets=["BR"])
    assert heard.through_proxy.groups == 6 and heard.through_proxy.inputs == 12


def test_a_risk_link_carries_the_group_and_the_risk_counts_it(hr_lead, world):
    from rightsloop.risks.actions import link_inputs
    from rightsloop.risks.models import RiskInput
    from rightsloop.risks.queries import who_was_heard_on
    from rightsloop.risks.tests.factories import make_risk

    engagement, _defender, ngo, group = world
    item = make_relayed_input(hr_lead, engagement, ngo, group)
    risk = make_risk(hr_lead)
    link_inputs(target=risk, inputs=[item], by=hr_lead)
    link = RiskInput.objects.get(risk=risk)
    assert (link.group_id, link.stakeholder_id) == (group.pk, ngo.pk)
    heard = who_was_heard_on(risk, hr_lead)
    assert heard.through_proxy.groups == 1 and heard.voices == 0


# Subject access and erasure --------------------------------------------------

def test_exports_and_erasure_keep_the_groups_words_apart_from_people(hr_lead, world):
    engagement, defender, ngo, group = world
    make_participation(hr_lead, engagement, defender, via_proxy=ngo)
    make_relayed_input(hr_lead, engagement, ngo, group, text="What the group told us")
    exported = subjects.export(defender)
    assert all(not part["inputs"] for part in exported)
    assert "What the group told us" not in str(exported)
    proxy_export = subjects.export(ngo)
    relayed = [i for part in proxy_export for i in part["inputs"]]
    assert relayed[0]["relayed_for_group"] == "Defenders in the north"
    assert proxy_export[0]["speaks_for"] == ["Defenders in the north"]
    subjects.erase(ngo)
    assert Input.objects.get().text == "What the group told us"  # the group's words, not the proxy's


# The data migration of existing rows -------------------------------------------

def _legacy_input(hr_lead, engagement, participation, text):
    """An input stored the old way, against a protected person's via-proxy participation (before issue 12)."""
    item = Input(organisation=engagement.organisation, engagement=engagement, speaker=participation,
                 attribution="anonymised", text=text, recorded_by=hr_lead.user)
    item.save()
    return item


def test_the_migration_moves_legacy_relayed_words_to_the_group_or_unlinks_them(hr_lead, world):
    import importlib

    from django.apps import apps

    from rightsloop.engagements.loops import refresh_loop
    from rightsloop.risks.actions import link_inputs
    from rightsloop.risks.models import RiskInput
    from rightsloop.risks.tests.factories import make_risk

    migration = importlib.import_module("rightsloop.engagements.migrations.0005_relayed_inputs_to_groups")
    engagement, defender, ngo, group = world
    through = make_participation(hr_lead, engagement, defender, via_proxy=ngo)
    moved = _legacy_input(hr_lead, engagement, through, "They follow us home.")
    loner = make_stakeholder(hr_lead, safety_level="elevated")
    other_ngo = make_stakeholder(hr_lead, kind="proxy")
    make_group(hr_lead, other_ngo)  # it speaks for two groups, and the person is in neither: no way to tell
    alone = make_participation(hr_lead, engagement, loner, via_proxy=other_ngo)
    # Rows from before groups existed: the person is in no group, and the proxy speaks for one only (the group
    # stakeholders 0004 made from what it said it represented); its words are that group's.
    legacy_ngo = make_stakeholder(hr_lead, kind="proxy")
    [legacy_group] = AffectedGroup.objects.filter(representations__proxy=legacy_ngo)
    legacy = _legacy_input(hr_lead, engagement, make_participation(
        hr_lead, engagement, make_stakeholder(hr_lead, safety_level="high"), via_proxy=legacy_ngo), "Old words.")
    unlinked = _legacy_input(hr_lead, engagement, alone, "Nobody can know I said this.")
    normal = make_participation(hr_lead, engagement, make_stakeholder(hr_lead), via_proxy=other_ngo)
    kept = _legacy_input(hr_lead, engagement, normal, "Mine to keep.")
    refresh_loop(engagement, [through, alone, normal])
    risk = make_risk(hr_lead)
    link_inputs(target=risk, inputs=[moved, unlinked], by=hr_lead)
    assert bytes(Input.objects.get(pk=moved.pk).text_sealed)[0] == sealing.PERSON_FORMAT

    migration.forwards(apps, None)

    moved, unlinked, kept = (Input.objects.get(pk=i.pk) for i in (moved, unlinked, kept))
    channel = engagement.participations.get(stakeholder=ngo)
    assert (moved.group, moved.speaker, moved.text) == (group, channel, "They follow us home.")
    assert list(channel.speaks_for.all()) == [group]
    assert (unlinked.group, unlinked.speaker, unlinked.text) == (None, None, "Nobody can know I said this.")
    assert bytes(moved.text_sealed)[0] == bytes(unlinked.text_sealed)[0] == sealing.ORGANISATION_FORMAT
    assert kept.speaker == normal and kept.text == "Mine to keep."
    legacy = Input.objects.get(pk=legacy.pk)
    assert (legacy.group, legacy.speaker.stakeholder, legacy.text) == (legacy_group, legacy_ngo, "Old words.")
    assert set(RiskInput.objects.values_list("input_id", "stakeholder_id")) == {(moved.pk, ngo.pk), (unlinked.pk, None)}
    through.refresh_from_db()
    channel.refresh_from_db()
    engagement.refresh_from_db()
    assert (through.inputs_count, channel.inputs_count, engagement.inputs_count) == (0, 1, 4)
    assert engagement.participants_with_inputs == 3
    migration.forwards(apps, None)  # nothing left to move: a second run changes nothing
    assert Input.objects.get(pk=moved.pk).speaker == channel


def test_the_inputs_page_reads_relayed_inputs_in_constant_queries(hr_lead, sign_in, django_assert_max_num_queries):
    engagement = make_engagement(hr_lead)
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/inputs/"

    def add_groups(count: int) -> None:
        for _ in range(count):
            ngo = make_stakeholder(hr_lead, kind="proxy")
            make_relayed_input(hr_lead, engagement, ngo, make_group(hr_lead, ngo))

    add_groups(2)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_groups(8)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert page.count(", through a proxy") >= 10
