"""Mutation test of the audit chain: every random edit, deletion, swap or truncation is caught.

An attacker here has write access to the rows and the head but not the audit key. Each of the four
tests draws random chains and one random tampering of its kind (300 each, 1,200 in all, by default;
RIGHTSLOOP_MUTATION_CASES raises it); verify() must find every one, at the place where it happened.
"""

import datetime
import os

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rightsloop.core.audit import CHAIN_FIELDS, GENESIS, Reason, entry_hash, head_seal, verify

from .test_audit_chain import KEY, OTHER_KEY, Head, build_chain

CASES = settings(max_examples=int(os.environ.get("RIGHTSLOOP_MUTATION_CASES", "300")), deadline=None)
SEALED_FIELDS = [name for name in CHAIN_FIELDS if name != "id"]  # the row id is the database's, not sealed

moments = st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1),
                       timezones=st.just(datetime.UTC))
small_ids = st.one_of(st.none(), st.integers(min_value=1, max_value=10**12))
hashes = st.one_of(st.text("0123456789abcdef", min_size=64, max_size=64), st.text(max_size=70))
contents = st.fixed_dictionaries({
    "organisation_id": small_ids,
    "actor_id": small_ids,
    "actor_label": st.text(max_size=20),
    "actor_role": st.sampled_from(["", "admin", "hr_lead", "auditor"]),
    "action": st.sampled_from(["stakeholder.registered", "input.recorded", "decision.recorded", "member.added"]),
    "target_type": st.sampled_from(["", "stakeholders.stakeholder", "engagements.input"]),
    "target_id": st.text("0123456789", max_size=6),
    "summary": st.text(max_size=60),
    "changed_fields": st.lists(st.sampled_from(["name", "email", "role", "consent", "safety_level"]), unique=True),
    "at": moments,
})
chains = st.lists(contents, min_size=1, max_size=12).map(build_chain)


def replacement(field: str, length: int):
    """Any value the column could be changed to."""
    return {
        "sequence": st.integers(min_value=-2, max_value=length + 3),
        "organisation_id": small_ids, "actor_id": small_ids,
        "actor_label": st.text(max_size=20), "actor_role": st.text(max_size=10), "action": st.text(max_size=30),
        "target_type": st.text(max_size=30), "target_id": st.text(max_size=10), "summary": st.text(max_size=60),
        "changed_fields": st.lists(st.text(max_size=10), max_size=4), "at": moments,
        "previous_hash": hashes, "entry_hash": hashes,
    }[field]


def in_database_order(entries):
    """What verify_audit streams: ORDER BY sequence (ties, which the unique index forbids, by id)."""
    return sorted(entries, key=lambda entry: (entry.sequence, entry.id))


def rows(entries):
    return sorted(repr(entry) for entry in entries)


@CASES
@given(chain=chains, data=st.data())
def test_every_edited_field_is_caught_where_it_was_made(chain, data):
    entries, head = chain
    position = data.draw(st.integers(0, len(entries) - 1), label="position")
    field = data.draw(st.sampled_from(SEALED_FIELDS), label="field")
    value = data.draw(replacement(field, len(entries)), label="value")
    assume(getattr(entries[position], field) != value)
    edited = entries[position]._replace(**{field: value})
    tampered = [*entries[:position], edited, *entries[position + 1:]]

    problem = verify(in_database_order(tampered), head, KEY).problem

    assert problem is not None
    # Named by its id, or (when its sequence changed, leaving a gap) by the sequence it left.
    assert problem.entry_id == edited.id or problem.sequence == position + 1


@CASES
@given(chain=chains, data=st.data())
def test_every_deletion_is_caught_at_the_first_deleted_entry(chain, data):
    entries, head = chain
    deleted = data.draw(st.sets(st.integers(0, len(entries) - 1), min_size=1), label="deleted")
    tampered = [entry for index, entry in enumerate(entries) if index not in deleted]

    problem = verify(tampered, head, KEY).problem

    assert problem is not None
    assert problem.reason in (Reason.MISSING, Reason.TRUNCATED)
    assert problem.sequence == min(deleted) + 1


@CASES
@given(chain=chains, data=st.data())
def test_every_swap_between_two_entries_is_caught_between_them(chain, data):
    entries, head = chain
    assume(len(entries) >= 2)
    first, second = sorted(data.draw(st.sets(st.integers(0, len(entries) - 1), min_size=2, max_size=2),
                                     label="positions"))
    swapped_fields = data.draw(st.sets(st.sampled_from(SEALED_FIELDS), min_size=1), label="fields")
    a, b = entries[first], entries[second]
    tampered = list(entries)
    tampered[first] = a._replace(**{name: getattr(b, name) for name in swapped_fields})
    tampered[second] = b._replace(**{name: getattr(a, name) for name in swapped_fields})
    assume(rows(tampered) != rows(entries))

    problem = verify(in_database_order(tampered), head, KEY).problem

    assert problem is not None
    assert first + 1 <= problem.sequence <= second + 1


@CASES
@given(chain=chains, data=st.data())
def test_every_truncated_tail_is_caught_even_with_the_head_rewound(chain, data):
    entries, head = chain
    kept = data.draw(st.integers(0, len(entries) - 1), label="kept")
    rewind = data.draw(st.sampled_from(["leave the head", "keep its seal", "seal with another key", "copy a seal"]),
                       label="head")
    tampered = entries[:kept]
    last_hash = tampered[-1].entry_hash if tampered else GENESIS
    if rewind == "keep its seal":
        head = Head(kept, last_hash, head.seal)
    elif rewind == "seal with another key":
        head = Head(kept, last_hash, head_seal(kept, last_hash, OTHER_KEY))
    elif rewind == "copy a seal":  # the only sealed-looking values in the database: entry hashes
        head = Head(kept, last_hash, last_hash)

    problem = verify(tampered, head, KEY).problem

    assert problem is not None
    if rewind == "leave the head":
        assert (problem.reason, problem.sequence) == (Reason.TRUNCATED, kept + 1)
    else:
        assert problem.reason == Reason.WRONG_HEAD


@settings(max_examples=200, deadline=None)
@given(chain=chains)
def test_untouched_chains_always_verify(chain):
    entries, head = chain
    result = verify(entries, head, KEY)
    assert result.intact and result.checked == len(entries)
    assert all(entry.entry_hash == entry_hash(entry, KEY) for entry in entries)
