"""Receipts: 32 digits, at least 80 bits of secret, typed in any script, checked by Argon2id only."""

from __future__ import annotations

import math
import time

import pytest

from rightsloop.grievances import receipts
from rightsloop.grievances.actions.intake import GrievanceReport, submit_grievance
from rightsloop.grievances.models import Grievance
from rightsloop.grievances.vocabulary import Channel


def submit(organisation, key: str = ""):
    return submit_grievance(organisation=organisation, channel=Channel.WEB, submission_key=key,
                            report=GrievanceReport(mode="anonymous", raised_by="affected", description="Algo pasó"))


def test_format_and_entropy():
    assert receipts.DIGITS == 32 and receipts.REFERENCE_DIGITS + receipts.SECRET_DIGITS == 32
    assert abs(receipts.SECRET_BITS - 25 * math.log2(10)) < 1e-9 and receipts.SECRET_BITS >= 80
    assert math.floor(receipts.SECRET_BITS) == 83
    secret = receipts.secret_for(1)
    assert len(secret) == 25 and secret.isdigit()
    shown = receipts.display("48210937314159265358979323846264")
    assert shown == "4821 0937 3141 5926 5358 9793 2384 6264"


@pytest.mark.django_db
def test_a_keyed_secret_is_stable_per_key_and_organisation(organisation, other_organisation):
    assert receipts.secret_for(organisation.pk, "key-aaaa-1") == receipts.secret_for(organisation.pk, "key-aaaa-1")
    assert receipts.secret_for(organisation.pk, "key-aaaa-1") != receipts.secret_for(organisation.pk, "key-aaaa-2")
    assert receipts.secret_for(organisation.pk, "key-aaaa-1") != receipts.secret_for(other_organisation.pk,
                                                                                      "key-aaaa-1")


def test_random_secrets_differ():
    assert len({receipts.secret_for(1) for _ in range(200)}) == 200


@pytest.mark.parametrize("typed", [
    "4821 0937 3141 5926 5358 9793 2384 6264",
    "4821-0937-3141-5926-5358-9793-2384-6264",
    "  48210937314159265358979323846264 ",
    "٤٨٢١ ٠٩٣٧ ٣١٤١ ٥٩٢٦ ٥٣٥٨ ٩٧٩٣ ٢٣٨٤ ٦٢٦٤",  # Arabic-Indic
    "۴۸۲۱ ۰۹۳۷ ۳۱۴۱ ۵۹۲۶ ۵۳۵۸ ۹۷۹۳ ۲۳۸۴ ۶۲۶۴",  # Extended Arabic-Indic (Persian, Urdu)
    "४८२१ ०९३७ ३१४१ ५९२६ ५३५८ ९७९३ २३८४ ६२६४",  # Devanagari
    "4821\u20130937\u00a03141 5926 5358 9793 2384 6264",  # en dash, no-break space
    "\uff14\uff18\uff12\uff11 0937 3141 5926 5358 9793 2384 6264",  # full-width digits
])
def test_normalise_accepts_any_digits_and_separators(typed):
    assert receipts.normalise(typed) == "48210937314159265358979323846264"


@pytest.mark.parametrize("typed", ["", "1234", "4821 0937 3141 5926 5358 9793 2384 626",
                                   "4821 0937 3141 5926 5358 9793 2384 62645",
                                   "4821 0937 3141 5926 5358 9793 2384 626x",
                                   "1" * 300, None, 48210937314159265358979323846264])
def test_normalise_refuses_what_is_not_a_receipt(typed):
    assert receipts.normalise(typed) is None


@pytest.mark.django_db
def test_only_the_argon2id_hash_is_kept_and_check_finds_the_case(organisation, other_organisation):
    submitted = submit(organisation)
    case = Grievance.objects.get()
    assert case.receipt_hash.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
    assert submitted.receipt[7:] not in case.receipt_hash
    assert receipts.check(organisation, submitted.receipt) == case
    assert receipts.check(other_organisation, submitted.receipt) is None
    wrong = submitted.receipt[:-1] + str((int(submitted.receipt[-1]) + 1) % 10)
    assert receipts.check(organisation, wrong) is None
    assert receipts.check(organisation, "not digits") is None


@pytest.mark.django_db
def test_an_erased_case_opens_no_more(organisation):
    from django.utils import timezone

    submitted = submit(organisation)
    Grievance.objects.filter(pk=submitted.grievance.pk).update(erased_at=timezone.now())
    assert receipts.check(organisation, submitted.receipt) is None


@pytest.mark.django_db
def test_an_unknown_reference_costs_as_much_as_a_wrong_secret(organisation):
    submitted = submit(organisation)
    receipts._dummy_hash()
    unknown = ("9999999" if submitted.receipt[:7] != "9999999" else "8888888") + submitted.receipt[7:]
    wrong = submitted.receipt[:7] + "0" * 25

    def timed(receipt):
        start = time.perf_counter()
        for _ in range(3):
            assert receipts.check(organisation, receipt) is None
        return time.perf_counter() - start

    assert timed(unknown) > 0.5 * timed(wrong)


@pytest.mark.django_db
def test_weaker_old_hashes_are_rehashed_on_the_next_check(organisation, settings):
    from argon2 import PasswordHasher, Type

    submitted = submit(organisation)
    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID).hash(submitted.receipt)
    Grievance.objects.filter(pk=submitted.grievance.pk).update(receipt_hash=old)
    assert receipts.check(organisation, submitted.receipt) is not None
    assert Grievance.objects.get().receipt_hash.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
