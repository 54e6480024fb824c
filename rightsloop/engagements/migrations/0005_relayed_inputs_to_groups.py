"""Take words a proxy relayed for a person at risk off that person's record (issue 12).

Before affected groups existed, a person at elevated or high safety who took part through a proxy was recorded
as the speaker of what the proxy relayed, so the words were tied to them (and sealed under their key). For each
such input:

- if the proxy represents exactly one affected group the person belongs to (or, for a person in no group, as
  every row from before groups existed is, if the proxy represents exactly one group: the one stakeholders
  0004 made from what it said it represented), the input becomes that group's:
  its speaker is the proxy's own participation in the engagement (created if the proxy had none, and marked
  as speaking for the group), so the feedback on it goes to the proxy, to pass on;
- otherwise (no such group, or several and no way to tell which), it stays, anonymised and unlinked: no speaker.

Either way it is anonymised, its text is sealed again under the organisation's key (an erased person's words
stay erased), the speaker a risk link carries is changed to match, and the loop counters of every participation
and engagement touched are recounted. The person's participation itself stays (they took part); feedback
reports already sent are left as they were. Nothing is undone on a backward migration: the link to the person
is exactly what must not come back.
"""

from django.db import migrations
from django.db.models import Count, Max, Q

AT_RISK = ("elevated", "high")
SENT = ("sent", "delivered")


def _text(item, person) -> str | None:
    """What was said, opened with the person's key; None when it cannot be read (erased, or never sealed)."""
    from rightsloop.core import sealing

    sealed, wrapped = bytes(item.text_sealed or b""), bytes(person.sealed_key or b"")
    if not sealed or not wrapped:
        return None
    key = sealing.unwrap_person_key(person.organisation_id, person.uid, wrapped)
    return key.open(sealed, f"engagements.input|text|{item.uid}".encode())


def _seal_for_organisation(item, text: str | None) -> bytes:
    from rightsloop.core import sealing

    if not text:
        return b""
    return sealing.OrganisationKey(item.organisation_id).seal(text, f"engagements.input|text|{item.uid}".encode())


def _recount(apps, participation_ids: set[int], engagement_ids: set[int]) -> None:
    """The loop bookkeeping of engagements.loops.refresh_loop, for the rows this migration moved."""
    Participation = apps.get_model("engagements", "Participation")
    Engagement = apps.get_model("engagements", "Engagement")
    FeedbackReport = apps.get_model("engagements", "FeedbackReport")
    Input = apps.get_model("engagements", "Input")
    for participation in Participation.objects.filter(pk__in=participation_ids).select_related("stakeholder"):
        counts = Input.objects.filter(speaker=participation).aggregate(
            total=Count("id"), undecided=Count("id", filter=Q(outcome="")), last=Max("decided_at"))
        reports = FeedbackReport.objects.filter(participation=participation, status__in=SENT).aggregate(
            last=Max("delivered_at"), covers=Max("covers_decisions_until"))
        participation.inputs_count = counts["total"]
        participation.undecided_count = counts["undecided"]
        participation.last_decision_at = counts["last"]
        participation.last_feedback_at = reports["last"]
        participation.last_feedback_covers = reports["covers"]
        if participation.stakeholder.erased_at is not None:
            closed = counts["total"] > 0
        elif counts["total"] == 0 or counts["undecided"] or reports["covers"] is None:
            closed = False
        else:
            closed = counts["last"] is None or reports["covers"] >= counts["last"]
        participation.loop_closed = closed
        participation.save(update_fields=["inputs_count", "undecided_count", "last_decision_at",
                                          "last_feedback_at", "last_feedback_covers", "loop_closed"])
    for engagement in Engagement.objects.filter(pk__in=engagement_ids):
        inputs = Input.objects.filter(engagement=engagement).aggregate(
            total=Count("id"), decided=Count("id", filter=~Q(outcome="")))
        people = Participation.objects.filter(engagement=engagement).aggregate(
            with_inputs=Count("id", filter=Q(inputs_count__gt=0)), closed=Count("id", filter=Q(loop_closed=True)))
        if inputs["total"] == 0:
            state = "not_started"
        elif inputs["decided"] == inputs["total"] and people["closed"] == people["with_inputs"]:
            state = "closed"
        else:
            state = "open"
        engagement.inputs_count = inputs["total"]
        engagement.decided_count = inputs["decided"]
        engagement.participants_with_inputs = people["with_inputs"]
        engagement.participants_closed = people["closed"]
        if state != "closed":
            engagement.loop_closed_at = None
        elif engagement.loop_state != "closed":
            engagement.loop_closed_at = Input.objects.filter(engagement=engagement).aggregate(
                last=Max("decided_at"))["last"]
        engagement.loop_state = state
        engagement.save(update_fields=["inputs_count", "decided_count", "participants_with_inputs",
                                       "participants_closed", "loop_state", "loop_closed_at"])


def forwards(apps, schema_editor):
    Input = apps.get_model("engagements", "Input")
    Participation = apps.get_model("engagements", "Participation")
    Representation = apps.get_model("stakeholders", "Representation")
    RiskInput = apps.get_model("risks", "RiskInput")
    # The ids first: rows are rewritten as they are read, which SQLite does not allow under an open cursor.
    ids = list(Input.objects.filter(group__isnull=True, speaker__via_proxy__isnull=False,
                                    speaker__stakeholder__safety_level__in=AT_RISK)
               .order_by("pk").values_list("pk", flat=True))
    participations, engagements = set(), set()
    for item in (Input.objects.filter(pk=pk).select_related("speaker__stakeholder").get() for pk in ids):
        before = item.speaker
        person = before.stakeholder
        mandates = Representation.objects.filter(proxy_id=before.via_proxy_id, ended_at__isnull=True)
        groups = sorted(set(mandates.filter(group__memberships__stakeholder=person).values_list("group_id", flat=True)))
        if not groups:
            # Rows from before groups existed have no memberships; what the proxy said it represented was one
            # text, which stakeholders 0004 made its one group: the proxy spoke for the person as that group.
            only = sorted(set(mandates.values_list("group_id", flat=True)))
            groups = only if len(only) == 1 else []
        text = _text(item, person)
        if len(groups) == 1:
            channel, _created = Participation.objects.get_or_create(
                engagement_id=item.engagement_id, stakeholder_id=before.via_proxy_id)
            channel.speaks_for.add(groups[0])
            item.speaker, item.group_id = channel, groups[0]
            participations.add(channel.pk)
        else:
            item.speaker, item.group_id = None, None
        item.attribution = "anonymised"
        item.text_sealed = _seal_for_organisation(item, text)
        item.save(update_fields=["speaker", "group", "attribution", "text_sealed"])
        RiskInput.objects.filter(input_id=item.pk).update(
            stakeholder_id=item.speaker.stakeholder_id if item.speaker is not None else None)
        participations.add(before.pk)
        engagements.add(item.engagement_id)
    _recount(apps, participations, engagements)


class Migration(migrations.Migration):

    dependencies = [
        ("engagements", "0004_relayed_inputs"),
        ("risks", "0002_risk_input_speaker"),
        ("stakeholders", "0004_proxies_represent_groups"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
