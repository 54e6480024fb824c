"""Sealed identities, blind-index search, grants and reveals of high-safety stakeholders."""

import pytest
from django.db import connection

from rightsloop.core.models import AuditEntry
from rightsloop.core.sealing import SealingError
from rightsloop.engagements.models import Input
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders import queries
from rightsloop.stakeholders.models import NameToken, Stakeholder, StakeholderGrant
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def raw(table: str, column: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - names are constants
        return bytes(cursor.fetchone()[0])


def test_identity_is_sealed_in_the_database(hr_lead):
    person = make_stakeholder(hr_lead, name="Wanjiru Kamau", email="wanjiru@example.org", phone="+254711000000")
    for column, secret in (("name_sealed", b"Wanjiru"), ("email_sealed", b"wanjiru@"), ("phone_sealed", b"254711")):
        stored = raw("stakeholders_stakeholder", column, person.pk)
        assert stored and secret not in stored
    assert Stakeholder.objects.get(pk=person.pk).name == "Wanjiru Kamau"
    assert "wanjiru" not in Stakeholder.objects.get(pk=person.pk).email_index


def test_swapped_or_edited_ciphertexts_never_open(hr_lead):
    first = make_stakeholder(hr_lead, name="First Person")
    second = make_stakeholder(hr_lead, name="Second Person")
    first_name = raw("stakeholders_stakeholder", "name_sealed", first.pk)
    Stakeholder.objects.filter(pk=second.pk).update(name_sealed=first_name)
    with pytest.raises(SealingError):
        _ = Stakeholder.objects.get(pk=second.pk).name
    Stakeholder.objects.filter(pk=first.pk).update(
        phone_sealed=raw("stakeholders_stakeholder", "name_sealed", first.pk))
    with pytest.raises(SealingError):
        _ = Stakeholder.objects.get(pk=first.pk).phone  # moved to another field of the same row
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    sealed = bytearray(raw("engagements_input", "text_sealed", item.pk))
    sealed[-1] ^= 1
    Input.objects.filter(pk=item.pk).update(text_sealed=bytes(sealed))
    with pytest.raises(SealingError):
        _ = Input.objects.get(pk=item.pk).text


def test_search_matches_whole_words_and_exact_emails(hr_lead):
    ana = make_stakeholder(hr_lead, name="Ana María Pérez", email="ana@example.org")
    make_stakeholder(hr_lead, name="Anabel Ortiz", email="anabel@example.org")
    search = lambda q: list(queries.stakeholder_list(hr_lead, queries.StakeholderFilters(q=q)))  # noqa: E731
    assert search("perez") == [ana]
    assert search("ANA PEREZ") == [ana]
    assert search("ana@example.org") == [ana]
    assert search("pér") == []  # fragments cannot match a sealed name
    assert NameToken.objects.filter(stakeholder=ana).count() == 3


def test_registering_a_protected_person_grants_the_registrar_only(hr_lead, admin):
    person = make_stakeholder(hr_lead, safety_level="high")
    assert list(StakeholderGrant.objects.active().values_list("user", flat=True)) == [hr_lead.user.pk]
    assert queries.visible_stakeholders(admin).count() == 0
    assert AuditEntry.objects.filter(action="grant.given", target_id=str(person.pk)).exists()


def test_reveal_flow(hr_lead, admin, sign_in):
    person = make_stakeholder(hr_lead, name="Defender Z", safety_level="high", email="z@example.org")
    client = sign_in(hr_lead)
    page = client.get(f"/stakeholders/{person.pk}/").content.decode()
    assert "Defender Z" not in page and "z@example.org" not in page and "Reveal the identity" in page
    assert client.get(f"/stakeholders/{person.pk}/edit/").status_code == 302
    refused = client.post(f"/stakeholders/{person.pk}/reveal/", {"reason": "short"})
    assert refused.status_code == 400
    client.post(f"/stakeholders/{person.pk}/reveal/", {"reason": "Preparing the safe follow-up meeting"})
    page = client.get(f"/stakeholders/{person.pk}/").content.decode()
    assert "Defender Z" in page and "z@example.org" in page
    assert client.get(f"/stakeholders/{person.pk}/edit/").status_code == 200
    entries = AuditEntry.objects.filter(target_id=str(person.pk))
    assert entries.filter(action="identity.revealed", summary="Preparing the safe follow-up meeting").count() == 1
    assert entries.filter(action="identity.read").count() == 2  # the page view and the edit form
    client.post(f"/stakeholders/{person.pk}/hide/")
    assert "Defender Z" not in client.get(f"/stakeholders/{person.pk}/").content.decode()
    assert sign_in(admin).get(f"/stakeholders/{person.pk}/").status_code == 404


def test_grant_and_revoke(hr_lead, auditor, sign_in):
    person = make_stakeholder(hr_lead, safety_level="high")
    client = sign_in(hr_lead)
    assert client.post(f"/stakeholders/{person.pk}/grants/", {"user": auditor.user.pk, "reason": ""}).status_code == 400
    client.post(f"/stakeholders/{person.pk}/grants/", {"user": auditor.user.pk, "reason": "Reviews this case"})
    assert sign_in(auditor).get(f"/stakeholders/{person.pk}/").status_code == 200
    grant = person.grants.active().get(user=auditor.user)
    client.post(f"/stakeholders/{person.pk}/grants/{grant.pk}/revoke/")
    assert sign_in(auditor).get(f"/stakeholders/{person.pk}/").status_code == 404
    actions = list(AuditEntry.objects.filter(action__startswith="grant.").values_list("action", flat=True))
    assert actions == ["grant.revoked", "grant.given", "grant.given"]
