"""The demo organisation's relationship quality (P2): two rating rounds whose answers show a trend.

Written through rightsloop.relationships.ratings as the human rights lead would (and as stakeholders do in
the portal). The autumn round is moved into the past once answered, so the spring round's answers are
compared with it: most relationships improved, Mtandao's fell (and is low on influence), which flags it to
its owner. Scores are deterministic, so the trend reads the same on every load.
"""

from __future__ import annotations

import datetime

from rightsloop.accounts.viewer import Viewer
from rightsloop.relationships import ratings
from rightsloop.relationships.models import Rating, RatingRound
from rightsloop.stakeholders.models import Stakeholder

# What a few people wrote, in their language (sealed under each person's key like every comment).
COMMENTS = {
    ("autumn", "wanjiku"): ("sw", "Mlituuliza mengi lakini hatukusikia tena kutoka kwenu."),
    ("spring", "wanjiku"): ("sw", "Safari hii mlitueleza mlichobadilisha. Asanteni."),
    ("spring", "mtandao"): ("en", "Three teams asked us the same questions this quarter and none said what "
                                  "became of our advice on the fraud warnings."),
    ("spring", "red_segura"): ("es", "La sesión fue útil; nos gustaría ver el informe antes de publicarlo."),
}


def _scores(key: str, season: str, n: int) -> dict[str, int]:
    """Autumn: middling. Spring: a point better on trust and influence felt, except for Mtandao, whose
    relationship soured (influence felt 2, trust down a point)."""
    base = 3 + (n % 2)
    if season == "autumn":
        return {"trust": base, "influence": 3, "burden": 3 + (n % 3 == 0), "usefulness": base, "safety": 4}
    if key == "mtandao":
        return {"trust": base - 1, "influence": 2, "burden": 2, "usefulness": base - 1, "safety": 4}
    return {"trust": min(base + 1, 5), "influence": 4, "burden": 3 + (n % 3 == 0), "usefulness": base,
            "safety": 4 + (n % 2)}


def load_ratings(*, viewer: Viewer, stakeholders: dict[str, Stakeholder], today: datetime.date) -> dict[str, int]:
    """Two rounds over every demo stakeholder the lead may see: autumn (closed, 180 days ago) and spring
    (open now, most have answered). Returns counts for the loader's summary."""
    # Only people the lead may ask: naming anyone else (a high-safety person without a grant) is refused.
    askable = set(ratings.Chooser().askable(viewer).values_list("pk", flat=True))
    people = {key: person for key, person in stakeholders.items() if person.pk in askable}
    chooser = ratings.Chooser(stakeholder_ids=tuple(person.pk for person in people.values()))
    counts = {"rounds": 0, "ratings": 0}
    autumn = ratings.open_round(viewer=viewer, title="First relationship check", opens_on=today,
                                closes_on=today + datetime.timedelta(days=21), chooser=chooser)
    counts["rounds"] += 1
    asked = set(autumn.invitations.values_list("stakeholder_id", flat=True))
    for n, (key, person) in enumerate(people.items()):
        if person.pk not in asked or (n % 5 == 4 and key != "mtandao"):  # some never answered
            continue
        language, comment = COMMENTS.get(("autumn", key), (person.preferred_language, ""))
        ratings.record_rating(round=autumn, stakeholder=person, scores=_scores(key, "autumn", n),
                              comment=comment, language=language)
        counts["ratings"] += 1
    # The autumn round happened half a year ago: move it (and its answers) there, closed.
    opened = today - datetime.timedelta(days=180)
    RatingRound.objects.filter(pk=autumn.pk).update(
        opens_on=opened, closes_on=opened + datetime.timedelta(days=21),
        closed_at=datetime.datetime.combine(opened + datetime.timedelta(days=21), datetime.time(18),
                                            tzinfo=datetime.UTC))
    Rating.objects.filter(round=autumn).update(
        answered_at=datetime.datetime.combine(opened + datetime.timedelta(days=5), datetime.time(10),
                                              tzinfo=datetime.UTC))
    spring = ratings.open_round(viewer=viewer, title="Second relationship check",
                                opens_on=today - datetime.timedelta(days=10),
                                closes_on=today + datetime.timedelta(days=11), chooser=chooser)
    counts["rounds"] += 1
    for n, (key, person) in enumerate(people.items()):
        if person.pk not in asked or (n % 4 == 3 and key != "mtandao"):  # the reminders are for these
            continue
        language, comment = COMMENTS.get(("spring", key), (person.preferred_language, ""))
        ratings.record_rating(round=spring, stakeholder=person, scores=_scores(key, "spring", n),
                              comment=comment, language=language)
        counts["ratings"] += 1
    return counts
