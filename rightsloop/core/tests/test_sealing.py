"""Sealing: AES-GCM under wrapped data keys; every edit or move of a ciphertext is refused."""

import os
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rightsloop.core import keys, sealing
from rightsloop.core.models import DataKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_id(organisation):
    return organisation.pk


def test_organisation_key_round_trip_and_binding(org_id):
    key = sealing.OrganisationKey(org_id)
    sealed = key.seal("Ana Pérez", b"stakeholder|name|1")
    assert b"Ana" not in sealed
    assert key.open(sealed, b"stakeholder|name|1") == "Ana Pérez"
    with pytest.raises(sealing.SealingError):
        key.open(sealed, b"stakeholder|name|2")
    assert DataKey.objects.filter(organisation_id=org_id, purpose="sealing").count() == 1


def test_data_keys_are_stored_wrapped(org_id):
    _version, secret = sealing.data_key(org_id)
    row = DataKey.objects.get(organisation_id=org_id, purpose="sealing")
    assert secret not in bytes(row.wrapped)
    assert row.kek_id == keys.current_kek().key_id


def test_person_keys(org_id):
    uid = uuid.uuid4()
    wrapped, person = sealing.new_person_key(org_id, uid)
    sealed = person.seal("secret words", b"aad")
    sealing.forget_cached_keys()
    assert sealing.unwrap_person_key(org_id, uid, wrapped).open(sealed, b"aad") == "secret words"
    with pytest.raises(sealing.SealingError):
        sealing.unwrap_person_key(org_id, uuid.uuid4(), wrapped)


@settings(max_examples=300, deadline=None)
@given(plaintext=st.text(min_size=1, max_size=200), position=st.integers(min_value=0), bit=st.integers(0, 7),
       cut=st.integers(min_value=1, max_value=40))
def test_every_tampered_ciphertext_is_refused(plaintext, position, bit, cut):
    person = sealing.PersonKey(os.urandom(32))
    sealed = person.seal(plaintext, b"row-1")
    flipped = bytearray(sealed)
    flipped[position % len(sealed)] ^= 1 << bit
    for bad in (bytes(flipped), sealed[:-min(cut, len(sealed) - 1)], sealed[: len(sealed) // 2]):
        with pytest.raises(sealing.SealingError):
            person.open(bad, b"row-1")
    with pytest.raises(sealing.SealingError):
        person.open(sealed, b"row-2")


def test_blind_index_is_keyed_and_stable(organisation, other_organisation):
    first = sealing.blind_index(organisation.pk, "ana@example.org")
    assert first == sealing.blind_index(organisation.pk, "ana@example.org")
    assert first != sealing.blind_index(other_organisation.pk, "ana@example.org")
    assert "ana" not in first and len(first) == 32
    assert sealing.blind_index(organisation.pk, "") == ""


def test_rewrap_moves_every_data_key_to_the_current_kek(org_id, monkeypatch):
    sealed = sealing.OrganisationKey(org_id).seal("before rotation", b"x")
    sealing.blind_index(org_id, "x")
    old = os.environ["RIGHTSLOOP_KEK"]
    new = keys.new_secret()
    monkeypatch.setenv("RIGHTSLOOP_KEK", new)
    monkeypatch.setenv("RIGHTSLOOP_PREVIOUS_KEKS", old)
    keys.forget()
    sealing.forget_cached_keys()
    assert sealing.rewrap_all() == (2, 0)
    assert sealing.rewrap_all() == (0, 2)
    monkeypatch.delenv("RIGHTSLOOP_PREVIOUS_KEKS")
    keys.forget()
    sealing.forget_cached_keys()
    assert sealing.OrganisationKey(org_id).open(sealed, b"x") == "before rotation"
    monkeypatch.setenv("RIGHTSLOOP_KEK", old)
    keys.forget()
    sealing.forget_cached_keys()
    with pytest.raises(sealing.SealingError):
        sealing.OrganisationKey(org_id).open(sealed, b"x")
    keys.forget()
