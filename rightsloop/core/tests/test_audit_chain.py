"""The audit chain's verifier as a pure function: every kind of break is named where it happens."""

import datetime
from dataclasses import dataclass

from rightsloop.core.audit import (
    GENESIS,
    ChainEntry,
    Reason,
    canonical,
    entry_hash,
    head_seal,
    verify,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
START = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)


@dataclass
class Head:
    sequence: int
    entry_hash: str
    seal: str


def sealed_head(sequence: int, last_hash: str, key: bytes = KEY) -> Head:
    return Head(sequence, last_hash, head_seal(sequence, last_hash, key))


def build_chain(contents: list[dict], key: bytes = KEY, first_id: int = 1) -> tuple[list[ChainEntry], Head]:
    """Seal entries as record() does, with row ids that increase but skip (as rolled-back inserts leave them)."""
    entries, previous = [], GENESIS
    for index, fields in enumerate(contents):
        entry = ChainEntry(
            id=first_id + 3 * index, sequence=index + 1, organisation_id=fields.get("organisation_id", 1),
            actor_id=fields.get("actor_id"), actor_label=fields.get("actor_label", "system"),
            actor_role=fields.get("actor_role", ""), action=fields.get("action", "thing.done"),
            target_type=fields.get("target_type", ""), target_id=fields.get("target_id", ""),
            summary=fields.get("summary", ""), changed_fields=fields.get("changed_fields", []),
            at=fields.get("at", START + datetime.timedelta(seconds=index)), previous_hash=previous, entry_hash="",
        )
        entry = entry._replace(entry_hash=entry_hash(entry, key))
        entries.append(entry)
        previous = entry.entry_hash
    return entries, sealed_head(len(entries), previous, key)


def chain(n: int) -> tuple[list[ChainEntry], Head]:
    return build_chain([{"summary": f"entry {i}", "actor_id": i % 3 or None} for i in range(n)])


def test_an_intact_chain_verifies_with_its_count():
    entries, head = chain(10)
    result = verify(entries, head, KEY)
    assert result.intact and result.checked == 10 and result.last_sequence == 10


def test_an_empty_chain_verifies_with_or_without_a_head():
    assert verify([], None, KEY).intact
    assert verify([], sealed_head(0, GENESIS), KEY).intact


def test_the_wrong_key_breaks_the_first_entry():
    entries, head = chain(3)
    problem = verify(entries, head, OTHER_KEY).problem
    assert (problem.reason, problem.sequence, problem.entry_id) == (Reason.EDITED, 1, entries[0].id)


def test_the_serialisation_is_canonical_json_in_utc():
    entry, _head = build_chain([{"at": datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.timezone(
        datetime.timedelta(hours=2))), "summary": "Ünïcode", "changed_fields": ["b", "a"]}])
    assert canonical(entry[0]) == (
        b'{"action":"thing.done","actor":null,"actor_label":"system","actor_role":"",'
        b'"at":"2026-01-01T10:00:00.000000Z","changed_fields":["b","a"],"organisation":1,'
        b'"previous_hash":"' + GENESIS.encode() + b'","sequence":1,"summary":"\\u00dcn\\u00efcode",'
        b'"target_id":"","target_type":""}'
    )


def test_an_edited_field_is_named():
    entries, head = chain(6)
    entries[3] = entries[3]._replace(summary="nothing to see")
    problem = verify(entries, head, KEY).problem
    assert (problem.reason, problem.sequence, problem.entry_id) == (Reason.EDITED, 4, entries[3].id)


def test_a_recomputed_hash_without_the_key_still_breaks():
    entries, head = chain(4)
    forged = entries[1]._replace(summary="forged")
    entries[1] = forged._replace(entry_hash=entry_hash(forged, OTHER_KEY))
    assert verify(entries, head, KEY).problem.sequence == 2


def test_a_deleted_entry_is_named_by_its_sequence():
    entries, head = chain(6)
    deleted = entries.pop(2)
    result = verify(entries, head, KEY)
    assert (result.problem.reason, result.problem.sequence, result.checked) == (Reason.MISSING, 3, 2)
    assert f"between ids {entries[1].id} and {entries[2].id}" in result.problem.detail
    assert deleted.id not in (entries[1].id, entries[2].id)


def test_swapped_positions_are_named():
    entries, head = chain(6)
    entries[1], entries[4] = entries[4]._replace(sequence=2), entries[1]._replace(sequence=5)
    problem = verify(entries, head, KEY).problem
    assert (problem.reason, problem.sequence) == (Reason.EDITED, 2)


def test_rows_moved_to_other_ids_are_reordered():
    entries, head = chain(6)
    low, high = entries[1].id, entries[3].id
    entries[1], entries[3] = entries[1]._replace(id=high), entries[3]._replace(id=low)
    problem = verify(entries, head, KEY).problem
    assert (problem.reason, problem.sequence, problem.entry_id) == (Reason.REORDERED, 3, entries[2].id)


def test_an_entry_sealed_after_another_predecessor_is_reordered():
    first, _ = chain(5)
    second, head = build_chain([{"summary": f"other {i}"} for i in range(5)])
    spliced = first[:2] + second[2:]
    problem = verify(spliced, head, KEY).problem
    assert (problem.reason, problem.sequence) == (Reason.REORDERED, 3)


def test_a_truncated_tail_is_named():
    entries, head = chain(6)
    problem = verify(entries[:4], head, KEY).problem
    assert (problem.reason, problem.sequence) == (Reason.TRUNCATED, 5)


def test_a_head_rewound_without_the_key_is_wrong():
    entries, head = chain(6)
    rewound = Head(4, entries[3].entry_hash, head.seal)
    problem = verify(entries[:4], rewound, KEY).problem
    assert (problem.reason, problem.sequence) == (Reason.WRONG_HEAD, 4)
    forged = sealed_head(4, entries[3].entry_hash, OTHER_KEY)
    assert verify(entries[:4], forged, KEY).problem.reason == Reason.WRONG_HEAD


def test_a_missing_or_diverging_head_is_wrong():
    entries, _head = chain(3)
    assert verify(entries, None, KEY).problem.reason == Reason.WRONG_HEAD
    other, _ = chain(3)
    other_head = sealed_head(2, "f" * 64)
    problem = verify(other, other_head, KEY).problem
    assert (problem.reason, problem.sequence) == (Reason.WRONG_HEAD, 2)


def test_entries_appended_after_the_head_was_read_are_checked_too():
    entries, _head = chain(8)
    head_when_the_walk_began = sealed_head(5, entries[4].entry_hash)
    assert verify(entries, head_when_the_walk_began, KEY).checked == 8
    entries[6] = entries[6]._replace(action="forged")
    assert verify(entries, head_when_the_walk_began, KEY).problem.sequence == 7


def test_an_anchor_kept_elsewhere_catches_a_full_rewrite_and_a_total_wipe():
    entries, head = chain(5)
    anchor = (3, entries[2].entry_hash)
    assert verify(entries, head, KEY, anchor=anchor).intact
    rewritten, rewritten_head = build_chain([{"summary": "rewritten"}] * 5)
    problem = verify(rewritten, rewritten_head, KEY, anchor=anchor).problem
    assert (problem.reason, problem.sequence) == (Reason.EDITED, 3)
    problem = verify([], None, KEY, anchor=anchor).problem
    assert (problem.reason, problem.sequence) == (Reason.TRUNCATED, 1)


def test_values_no_entry_can_hold_are_edits_not_crashes():
    entries, head = chain(3)
    entries[1] = entries[1]._replace(at=datetime.datetime(2026, 1, 1), changed_fields=None)
    assert verify(entries, head, KEY).problem.reason == Reason.EDITED
    entries, head = chain(3)
    entries[2] = entries[2]._replace(entry_hash="é" * 64)
    assert verify(entries, head, KEY).problem.sequence == 3


def test_the_problem_reads_as_sequence_id_reason_and_detail():
    entries, head = chain(3)
    entries[1] = entries[1]._replace(summary="x")
    assert str(verify(entries, head, KEY).problem).startswith(f"2 (id {entries[1].id}): edited - ")
