"""Pol.is files in and out: real conversations imported with the README's counts, the latest vote winning, every
kind of bad file refused with its file and line and nothing written, the export's columns, the round trip, no
names in an export, and the page and API doors."""

import csv
import io
import zipfile

import numpy
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rightsloop.consensus import polis
from rightsloop.consensus.actions import polis as actions
from rightsloop.consensus.models import AnalysisRun, Participant, Statement, Vote
from rightsloop.consensus.vocabulary import Moderation, RunState, VoteChannel
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories_polis import POLIS_DATA, make_empty_exercise, polis_files

pytestmark = pytest.mark.django_db

ALL = ("comments.csv", "votes.csv", "participants-votes.csv")


def needs(conversation: str):
    return pytest.mark.skipif(not (POLIS_DATA / conversation).is_dir(), reason=f"{conversation} is not here")


def matrix(exercise) -> dict[tuple[int, int], int]:
    return {(p, s): v for p, s, v in Vote.objects.filter(exercise=exercise).values_list(
        "participant__number", "statement__number", "value")}


def published_cells(conversation: str) -> dict[tuple[int, int], int]:
    with open(POLIS_DATA / conversation / "participants-votes.csv", encoding="utf-8", newline="") as file:
        return {(int(row["participant"]), int(column)): int(value) for row in csv.DictReader(file)
                for column, value in row.items() if column.isdigit() and value != ""}


def nothing_written(exercise) -> bool:
    return (not exercise.statements.exists() and not exercise.participants.exists() and not exercise.votes.exists()
            and not AuditEntry.objects.filter(action="exercise.polis_imported").exists())


# Hand-made files ---------------------------------------------------------------------------------------------------

COMMENTS = (b"timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
            b"1000,x,0,0,1,0,1,Seed one\n"
            b"2000,x,1,1,0,1,1,\"Two, with a comma\"\n"
            b"3000,x,2,2,0,0,-1,Rejected\n")


def refused(hr_lead, **files) -> list[polis.Problem]:
    exercise = make_empty_exercise(hr_lead)
    with pytest.raises(actions.PolisProblems) as caught:
        actions.import_polis(exercise=exercise, by=hr_lead, **files)
    assert nothing_written(exercise)
    return caught.value.problems


# Real conversations -------------------------------------------------------------------------------------------------

@needs("london.youth.policing")
def test_london_youth_policing_counts_match_the_readme(hr_lead, django_assert_max_num_queries):
    exercise = make_empty_exercise(hr_lead)
    # A fixed number (checks, locks, one insert per 1,000 votes, the audit entry and the analysis asked for).
    with django_assert_max_num_queries(30):
        imported = actions.import_polis(exercise=exercise, by=hr_lead, **polis_files("london.youth.policing", *ALL))
    assert (imported.statements, imported.votes) == (39, 638)
    # The README counts the 26 who voted; one author (the seeder) never voted and is a participant too.
    assert exercise.participants.filter(votes_count__gt=0).count() == 26
    assert imported.participants == exercise.participants.count() == 27
    assert imported.by_moderation == {"accepted": 36, "rejected": 3}
    assert matrix(exercise) == published_cells("london.youth.policing")
    assert set(exercise.participants.values_list("channel", flat=True)) == {VoteChannel.IMPORT}
    assert not exercise.participants.filter(participation__isnull=False).exists()
    exercise.refresh_from_db()
    assert exercise.next_statement_number == 39 and exercise.next_participant_number == 27
    assert AuditEntry.objects.filter(action="exercise.polis_imported", target_id=str(exercise.pk)).count() == 1


@needs("london.youth.policing")
def test_tallies_are_the_final_votes(hr_lead):
    exercise = make_empty_exercise(hr_lead)
    actions.import_polis(exercise=exercise, by=hr_lead, **polis_files("london.youth.policing", *ALL))
    cells = published_cells("london.youth.policing")
    for statement in exercise.statements.all():
        values = [v for (_p, s), v in cells.items() if s == statement.number]
        assert (statement.votes_count, statement.agrees, statement.disagrees, statement.passes) == (
            len(values), values.count(1), values.count(-1), values.count(0))
    for participant in exercise.participants.all():
        assert participant.votes_count == sum(1 for (p, _s) in cells if p == participant.number)


@needs("bg2050-volunteers")
def test_bg2050_volunteers_with_meta_and_seed_columns(hr_lead, django_assert_max_num_queries):
    exercise = make_empty_exercise(hr_lead)
    with django_assert_max_num_queries(50):   # 14,283 votes: a few more inserts than london's 638, no more
        imported = actions.import_polis(exercise=exercise, by=hr_lead, **polis_files("bg2050-volunteers", *ALL))
    assert (imported.participants, imported.statements, imported.votes) == (126, 371, 14283)
    # 316 accepted, of which one is about the conversation itself (meta).
    assert imported.by_moderation == {"accepted": 315, "meta": 1, "rejected": 55}
    assert exercise.statements.filter(is_seed=True).count() == 25
    assert matrix(exercise) == published_cells("bg2050-volunteers")


@needs("american-assembly.bowling-green")
def test_participants_votes_alone_gives_the_final_votes(hr_lead):
    exercise = make_empty_exercise(hr_lead)
    imported = actions.import_polis(exercise=exercise, by=hr_lead, **polis_files(
        "american-assembly.bowling-green", "comments.csv", "participants-votes.csv"))
    assert (imported.participants, imported.votes) == (2031, 225524)
    assert imported.by_moderation == {"accepted": 607, "rejected": 289}


# The latest vote wins -----------------------------------------------------------------------------------------------

def test_the_latest_vote_by_timestamp_wins_whatever_the_order_of_rows(hr_lead):
    votes = (b"timestamp,datetime,comment-id,voter-id,vote\n"
             b"5000,x,0,7,-1\n"        # the revote, written before the first vote
             b"1000,x,0,7,1\n"
             b"1500,x,1,7,0\n"
             b"2000,x,1,8,1\n"
             b"2000,x,1,8,-1\n")       # same moment: the row further down wins
    exercise = make_empty_exercise(hr_lead)
    imported = actions.import_polis(exercise=exercise, comments=COMMENTS, votes=votes, by=hr_lead)
    assert matrix(exercise) == {(7, 0): -1, (7, 1): 0, (8, 1): -1}
    assert imported.votes == 3
    first = Statement.objects.get(exercise=exercise, number=0)
    assert (first.votes_count, first.agrees, first.disagrees) == (1, 0, 1)
    assert Vote.objects.get(exercise=exercise, participant__number=7, statement__number=0).cast_at.timestamp() == 5
    # Authors 0, 1, 2 and voters 7, 8 are all participants, numbered by their Pol.is id.
    assert sorted(exercise.participants.values_list("number", flat=True)) == [0, 1, 2, 7, 8]
    assert Statement.objects.get(exercise=exercise, number=1).author.number == 1


# Bad input: a clear problem, with file and line, and nothing written ------------------------------------------------

def test_missing_columns_are_named(hr_lead):
    problems = refused(hr_lead, comments=b"comment-id,comment-body\n0,Hello\n")
    assert problems[0].file == "comments.csv" and problems[0].line == 1
    assert "author-id" in problems[0].message and "moderated" in problems[0].message
    problems = refused(hr_lead, comments=COMMENTS, votes=b"timestamp,comment-id,vote\n1,0,1\n")
    assert problems[0].file == "votes.csv" and "voter-id" in problems[0].message


def test_a_vote_on_a_comment_not_in_comments_csv(hr_lead):
    problems = refused(hr_lead, comments=COMMENTS, votes=b"timestamp,comment-id,voter-id,vote\n1,0,3,1\n1,99,3,1\n")
    assert [(p.file, p.line) for p in problems] == [("votes.csv", 3)]
    assert "99" in problems[0].message and "comments.csv" in problems[0].message
    problems = refused(hr_lead, comments=COMMENTS, participants_votes=b"participant,group-id,0,42\n3,,1,1\n")
    assert [(p.file, p.line) for p in problems] == [("participants-votes.csv", 1)]
    assert "42" in problems[0].message


@pytest.mark.parametrize("value", [b"2", b"-2", b"yes", b"", b"0.5"])
def test_a_vote_that_is_not_agree_disagree_or_pass(hr_lead, value):
    problems = refused(hr_lead, comments=COMMENTS,
                       votes=b"timestamp,comment-id,voter-id,vote\n1,0,3,1\n2,1,3," + value + b"\n")
    assert [(p.file, p.line) for p in problems] == [("votes.csv", 3)]
    assert "-1 (disagree)" in problems[0].message


def test_a_bad_cell_in_participants_votes(hr_lead):
    problems = refused(hr_lead, comments=COMMENTS, participants_votes=b"participant,0,1\n3,1,\n4,1,agree\n")
    assert [(p.file, p.line) for p in problems] == [("participants-votes.csv", 3)]


def test_a_timestamp_that_is_not_a_number(hr_lead):
    problems = refused(hr_lead, comments=COMMENTS, votes=b"timestamp,comment-id,voter-id,vote\nyesterday,0,3,1\n")
    assert [(p.file, p.line) for p in problems] == [("votes.csv", 2)]
    assert "timestamp" in problems[0].message


def test_duplicate_comment_ids(hr_lead):
    problems = refused(hr_lead, comments=COMMENTS + b"4000,x,1,3,0,0,1,Again number one\n")
    assert [(p.file, p.line) for p in problems] == [("comments.csv", 5)]
    assert "line 3" in problems[0].message


def test_bad_comment_rows_each_say_what_is_wrong(hr_lead):
    problems = refused(hr_lead, comments=COMMENTS + b"1,x,seven,0,0,0,1,Text\n1,x,8,0,0,0,2,Text\n1,x,9,0,0,0,1,\n")
    assert [p.line for p in problems] == [5, 6, 7]
    assert "comment-id" in problems[0].message and "moderated" in problems[1].message
    assert "comment-body" in problems[2].message


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"comment-id,author-id,moderated,comment-body\n"])
def test_an_empty_file(hr_lead, data):
    problems = refused(hr_lead, comments=data)
    assert problems[0].file == "comments.csv"
    assert "empty" in problems[0].message or "no comments" in problems[0].message


def test_an_empty_votes_file(hr_lead):
    problems = refused(hr_lead, comments=COMMENTS, votes=b"")
    assert problems[0].file == "votes.csv" and "empty" in problems[0].message


def test_a_file_too_large(hr_lead, monkeypatch):
    monkeypatch.setattr(polis, "MAX_FILE_BYTES", 100)
    problems = refused(hr_lead, comments=COMMENTS)
    assert problems[0].file == "comments.csv" and "too large" in problems[0].message
    upload = SimpleUploadedFile("comments.csv", COMMENTS)
    problems = refused(hr_lead, comments=upload)
    assert "too large" in problems[0].message


def test_a_file_that_is_not_utf8(hr_lead):
    latin = COMMENTS + "5000,x,3,0,0,0,1,Ça ne va pas\n".encode("latin-1")
    problems = refused(hr_lead, comments=latin)
    assert [(p.file, p.line) for p in problems] == [("comments.csv", 5)]
    assert "UTF-8" in problems[0].message


def test_a_utf8_byte_order_mark_is_fine(hr_lead):
    exercise = make_empty_exercise(hr_lead)
    actions.import_polis(exercise=exercise, comments=b"\xef\xbb\xbf" + COMMENTS, by=hr_lead)
    assert exercise.statements.count() == 3


def test_problems_stop_at_fifty_and_count_the_rest(hr_lead):
    lines = b"".join(b"1,%d,3,7\n" % n for n in range(200))
    problems = refused(hr_lead, comments=COMMENTS, votes=b"timestamp,comment-id,voter-id,vote\n" + lines)
    assert len(problems) == polis.MAX_PROBLEMS + 1 and "150 more" in problems[-1].message


def test_an_exercise_that_already_has_votes(hr_lead):
    exercise = make_empty_exercise(hr_lead)
    actions.import_polis(exercise=exercise, comments=COMMENTS, votes=b"timestamp,comment-id,voter-id,vote\n1,0,3,1\n",
                         by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.import_polis(exercise=exercise, comments=COMMENTS, by=hr_lead)
    assert "already has" in str(caught.value)
    assert exercise.statements.count() == 3 and exercise.votes.count() == 1


def test_nothing_is_half_applied_when_writing_fails(hr_lead, monkeypatch):
    exercise = make_empty_exercise(hr_lead)

    def broken(rows):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(actions, "_insert_votes", broken)
    with pytest.raises(RuntimeError):
        actions.import_polis(exercise=exercise, comments=COMMENTS,
                             votes=b"timestamp,comment-id,voter-id,vote\n1,0,3,1\n", by=hr_lead)
    assert nothing_written(exercise)


def test_an_auditor_cannot_import(auditor, hr_lead):
    exercise = make_empty_exercise(hr_lead)
    with pytest.raises(PermissionDenied):
        actions.import_polis(exercise=exercise, comments=COMMENTS, by=auditor)
    assert nothing_written(exercise)


# Export ------------------------------------------------------------------------------------------------------------

def unzip(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"), newline="")))
                for name in archive.namelist()}


def test_export_has_polis_columns(hr_lead, django_assert_max_num_queries):
    exercise = make_empty_exercise(hr_lead, question="Which way?", description="About the way")
    actions.import_polis(exercise=exercise, comments=COMMENTS, votes=(
        b"timestamp,datetime,comment-id,voter-id,vote\n1000,x,0,3,1\n2000,x,1,3,-1\n3000,x,1,4,0\n"), by=hr_lead)
    with django_assert_max_num_queries(12):
        files = unzip(actions.export_polis(exercise=exercise, by=hr_lead))
    assert sorted(files) == ["comments.csv", "participants-votes.csv", "summary.csv", "votes.csv"]
    assert files["comments.csv"][0] == list(polis.COMMENT_COLUMNS)
    assert files["comments.csv"][2][2:8] == ["1", "1", "0", "1", "1", "false"]
    assert files["votes.csv"][0] == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
    assert [row[2:] for row in files["votes.csv"][1:]] == [["0", "3", "1"], ["1", "3", "-1"], ["1", "4", "0"]]
    header = files["participants-votes.csv"][0]
    # Comments with votes get a column; comment 2 had none.
    assert header == ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", "0", "1"]
    rows = {row[0]: row for row in files["participants-votes.csv"][1:]}
    assert rows["3"] == ["3", "", "", "0", "2", "1", "1", "1", "-1"]
    assert rows["0"] == ["0", "", "", "1", "0", "0", "0", "", ""]
    summary = dict(files["summary.csv"])
    assert list(summary) == list(polis.SUMMARY_KEYS)
    assert (summary["topic"], summary["voters"], summary["comments"]) == ("Which way?", "2", "3")
    assert AuditEntry.objects.filter(action="exercise.polis_exported", target_id=str(exercise.pk)).count() == 1


@needs("london.youth.policing")
def test_round_trip_gives_the_same_matrix(hr_lead):
    first = make_empty_exercise(hr_lead)
    actions.import_polis(exercise=first, by=hr_lead, **polis_files("london.youth.policing", *ALL))
    exported = actions.export_polis(exercise=first, by=hr_lead)
    for given in (actions.files_of_zip(exported),
                  {"comments": actions.files_of_zip(exported)["comments"],
                   "participants_votes": actions.files_of_zip(exported)["participants_votes"]}):
        second = make_empty_exercise(hr_lead)
        actions.import_polis(exercise=second, by=hr_lead, **given)
        assert matrix(second) == matrix(first)
        fields = ("number", "text", "moderation", "is_seed", "author__number", "agrees", "disagrees", "passes")
        assert list(second.statements.values_list(*fields)) == list(first.statements.values_list(*fields))
        assert list(second.participants.values_list("number", "votes_count")) == list(
            first.participants.values_list("number", "votes_count"))


def test_export_never_carries_names_or_stakeholder_ids(hr_lead):
    exercise = make_empty_exercise(hr_lead)
    stakeholder = make_stakeholder(hr_lead, name="Zanele Hiddenname")
    participation = make_participation(hr_lead, exercise.engagement, stakeholder)
    actions.import_polis(exercise=exercise, comments=COMMENTS,
                         votes=b"timestamp,comment-id,voter-id,vote\n1,0,3,1\n", by=hr_lead)
    named = Participant.objects.create(exercise=exercise, number=70, participation=participation, votes_count=1)
    Vote.objects.create(exercise=exercise, participant=named, statement=exercise.statements.get(number=1), value=1,
                        cast_at=named.created_at)
    data = actions.export_polis(exercise=exercise, by=hr_lead)
    files = unzip(data)
    text = "".join(str(files[name]) for name in files)
    assert "Zanele" not in text and "Hiddenname" not in text
    listed = [row[0] for row in files["participants-votes.csv"][1:]]
    assert listed == ["0", "1", "2", "3", "70"]   # exercise numbers, not the participation or stakeholder id
    assert {row[1] for row in files["participants-votes.csv"][1:]} == {""}
    assert "70" in {row[3] for row in files["votes.csv"][1:]}


def _done_run(exercise, groups: dict[int, int], sizes: dict[int, int]) -> AnalysisRun:
    buffer = io.BytesIO()
    numbers = sorted(groups)
    numpy.savez_compressed(buffer, numbers=numpy.array(numbers, dtype=numpy.int32),
                           x=numpy.zeros(len(numbers), dtype=numpy.float32),
                           y=numpy.zeros(len(numbers), dtype=numpy.float32),
                           group=numpy.array([groups[n] for n in numbers], dtype=numpy.int16))
    return AnalysisRun.objects.create(
        exercise=exercise, state=RunState.DONE, placements=buffer.getvalue(),
        results={"groups": [{"id": g, "label": "AB"[g], "size": size, "shown": size >= exercise.min_group_size}
                            for g, size in sizes.items()], "statements": {"0": {"gic": 0.25}}})


def test_group_ids_only_for_groups_large_enough(hr_lead):
    exercise = make_empty_exercise(hr_lead, min_group_size=3)
    votes = b"timestamp,comment-id,voter-id,vote\n" + b"".join(b"1,0,%d,1\n" % n for n in range(10, 16))
    actions.import_polis(exercise=exercise, comments=COMMENTS, votes=votes, by=hr_lead)
    # An older finished run, and a failed newer one: the latest DONE run is read.
    _done_run(exercise, dict.fromkeys(range(10, 16), 1), {1: 6})
    _done_run(exercise, {10: 0, 11: 0, 12: 0, 13: 0, 14: 1, 15: -1}, {0: 4, 1: 1})
    AnalysisRun.objects.create(exercise=exercise, state=RunState.FAILED)
    files = unzip(actions.export_polis(exercise=exercise, by=hr_lead))
    groups = {row[0]: row[2] for row in files["participants-votes.csv"][1:]}
    assert groups == {"0": "", "1": "", "2": "", "10": "0", "11": "0", "12": "0", "13": "0", "14": "", "15": ""}
    assert files["comments.csv"][1][9] == "0.25"
    assert dict(files["summary.csv"])["groups"] == "1"


# The page and the API ----------------------------------------------------------------------------------------------

def test_import_page_with_csv_files_and_with_a_zip(hr_lead, sign_in):
    client = sign_in(hr_lead)
    exercise = make_empty_exercise(hr_lead)
    url = reverse("consensus:polis-import", args=[exercise.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"comments": SimpleUploadedFile("comments.csv", COMMENTS),
                                 "votes": SimpleUploadedFile("votes.csv", b"timestamp,comment-id,voter-id,vote\n"
                                                                          b"1,0,3,1\n")})
    assert response.status_code == 302
    assert exercise.votes.count() == 1
    export = client.get(reverse("consensus:polis-export", args=[exercise.pk]))
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    other = make_empty_exercise(hr_lead)
    response = client.post(reverse("consensus:polis-import", args=[other.pk]),
                           {"archive": SimpleUploadedFile("polis.zip", export.content)})
    assert response.status_code == 302 and matrix(other) == matrix(exercise)


def test_import_page_shows_every_problem_and_imports_nothing(hr_lead, sign_in):
    client = sign_in(hr_lead)
    exercise = make_empty_exercise(hr_lead)
    url = reverse("consensus:polis-import", args=[exercise.pk])
    response = client.post(url, {"comments": SimpleUploadedFile("comments.csv", COMMENTS),
                                 "votes": SimpleUploadedFile("votes.csv", b"timestamp,comment-id,voter-id,vote\n"
                                                                          b"1,0,3,9\n1,77,3,1\n")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "votes.csv, line 2" in page and "votes.csv, line 3" in page and "77" in page
    assert nothing_written(exercise)
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"archive": SimpleUploadedFile("polis.zip", b"not a zip")}).status_code == 400
    assert nothing_written(exercise)


def test_pages_for_a_reader_and_another_organisation(auditor, outsider, hr_lead, sign_in):
    exercise = make_empty_exercise(hr_lead)
    client = sign_in(auditor)
    # A reader sees the exercise but may not change it: 403, as every change of an exercise answers.
    assert client.get(reverse("consensus:polis-import", args=[exercise.pk])).status_code == 403
    assert client.get(reverse("consensus:polis-export", args=[exercise.pk])).status_code == 200
    client = sign_in(outsider)
    assert client.get(reverse("consensus:polis-export", args=[exercise.pk])).status_code == 404


def test_api_import_and_export(hr_lead, api):
    exercise = make_empty_exercise(hr_lead)
    client = api(hr_lead)
    url = f"/api/v1/consensus/exercises/{exercise.pk}/polis/import"
    bad = client.client.post(url, {"comments": SimpleUploadedFile("comments.csv", COMMENTS),
                                   "votes": SimpleUploadedFile("votes.csv", b"timestamp,comment-id,voter-id,vote\n"
                                                                            b"soon,0,3,1\n")},
                             HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert bad.status_code == 400
    assert bad.json()["problems"] == [{"file": "votes.csv", "line": 2, "message": bad.json()["problems"][0]["message"]}]
    assert "timestamp" in bad.json()["problems"][0]["message"]
    assert nothing_written(exercise)
    assert client.post(url, {}).status_code == 400    # JSON instead of files
    good = client.client.post(url, {"comments": SimpleUploadedFile("comments.csv", COMMENTS)},
                              HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert good.status_code == 201 and good.json()["statements"] == 3
    again = client.client.post(url, {"comments": SimpleUploadedFile("comments.csv", COMMENTS)},
                               HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert again.status_code == 400 and "already has" in str(again.json()["errors"])
    export = client.get(f"/api/v1/consensus/exercises/{exercise.pk}/polis/export")
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    assert sorted(unzip(export.content)) == ["comments.csv", "participants-votes.csv", "summary.csv", "votes.csv"]


def test_api_for_another_organisation_is_not_found(hr_lead, outsider, api):
    exercise = make_empty_exercise(hr_lead)
    client = api(outsider)
    response = client.client.post(f"/api/v1/consensus/exercises/{exercise.pk}/polis/import",
                                  {"comments": SimpleUploadedFile("comments.csv", COMMENTS)},
                                  HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert response.status_code == 404
    assert client.get(f"/api/v1/consensus/exercises/{exercise.pk}/polis/export").status_code == 404
    assert nothing_written(exercise)


# With the engine ---------------------------------------------------------------------------------------------------

@needs("bg2050-volunteers")
def test_bg2050_imported_then_analysed(hr_lead):
    analysis = pytest.importorskip("rightsloop.consensus.analysis")
    exercise = make_empty_exercise(hr_lead, min_group_size=10)
    actions.import_polis(exercise=exercise, by=hr_lead, **polis_files("bg2050-volunteers", *ALL))
    run = exercise.runs.get()   # the import asked for one
    run = analysis.run_analysis(run=run)
    assert run.state == RunState.DONE, run.message
    assert run.results["k"] == len(run.results["groups"]) >= 2
    assert run.results["n_participants"] == 126
    files = unzip(actions.export_polis(exercise=exercise, by=hr_lead))
    groups = [row[2] for row in files["participants-votes.csv"][1:]]
    # Only the members of groups of at least this exercise's 10 carry a group-id.
    shown = {str(group["id"]): group["size"] for group in run.results["groups"] if group["size"] >= 10}
    assert {group for group in groups if group} == set(shown)
    assert sum(1 for group in groups if group) == sum(shown.values())
    assert Moderation.META in exercise.statements.values_list("moderation", flat=True)
