"""Small synthetic consultations for the analysis tests: planted themes, both stances, a campaign, duplicates."""

import random

from ..actions import analysis as runs
from ..models import Consultation
from .factories import make_applied_import, make_consultation

TOPICS = {
    "privacy": ["scanning private messages breaks privacy", "my private chats must stay encrypted",
                "client side scanning reads personal photos", "privacy of correspondence matters",
                "encryption keeps private messages safe from scanning"],
    "price": ["the subscription price is too expensive for families", "monthly fees cost too much money",
              "pensioners cannot afford the price increase", "cheaper plans for students and families",
              "the cost of the premium tier is unaffordable"],
    "access": ["screen reader support for blind users is poor", "accessibility for deaf people needs captions",
               "larger buttons help users with motor impairments", "blind users cannot read the menus",
               "captions and screen readers must work everywhere"],
    "harassment": ["report abusive accounts faster", "harassment of women online goes unpunished",
                   "moderators ignore reports of threats", "block and report tools against bullying",
                   "abusive trolls keep harassing journalists"],
}
FOR = ["I support the proposal", "Good idea, I agree", "Yes, please do this"]
AGAINST = ["I oppose the proposal", "Bad idea, I disagree", "No, do not do this"]
FILLER = ("honestly", "today", "we", "everyone", "really", "still", "often", "again", "here", "already",
          "friends", "family", "work", "school", "city", "village", "phone", "laptop", "evening", "weekend")
CAMPAIGN = "Stop the plan now! Protect our encrypted messages and our freedom. Sign the petition today."
# The campaign's senders sign the template with their town (two in three do), as people sending a template do:
# the edits are what shows it was organised (analysis.duplicates.group_kind).
TOWNS = ("Lyon", "Ghent", "Porto", "Tartu", "Bergen")
CONTACT = "respondent-contact@example.org"


def synthetic_rows(per_topic: int = 50, *, seed: int = 7, campaign: int = 30) -> list[dict]:
    """Rows for make_applied_import: planted topics with both stances, three identical answers, a campaign."""
    rng = random.Random(seed)
    rows = []
    for n in range(per_topic):
        for topic, phrases in TOPICS.items():
            first, second = rng.sample(phrases, 2)
            stance = rng.choice(FOR + AGAINST)
            filler = " ".join(rng.sample(FILLER, 4))
            rows.append({"text": f"{first}. {filler}. {second}. {stance}.", "language": "en",
                         "respondent": f"r-{topic}-{n}", "contact": f"{topic}{n}@example.org"})
    for n in range(campaign):
        text = CAMPAIGN if n % 3 == 0 else f"{CAMPAIGN} From {TOWNS[n % len(TOWNS)]}."
        rows.append({"text": text, "language": "en", "respondent": f"campaign-{n}", "contact": CONTACT})
    duplicate = "Accessibility for blind users is the one thing that matters to me."
    rows += [{"text": duplicate, "language": "en", "respondent": f"dup-{n}"} for n in range(3)]
    rng.shuffle(rows)
    return rows


def make_analysed(by, *, yes_no: bool = True, per_topic: int = 50, themes: int | None = 4, seed: int = 0,
                  campaign: int = 30) -> Consultation:
    """A consultation with imported responses and a finished discovery run."""
    consultation = make_consultation(by, yes_no=yes_no, question="Should messages be scanned?")
    make_applied_import(consultation, synthetic_rows(per_topic, campaign=campaign), by=by)
    run = runs.start_discovery(consultation=consultation, parameters={"seed": seed, "themes": themes}, by=by,
                               enqueue=False)
    runs.run_discovery(run=run)
    run.refresh_from_db()
    assert run.state == "done", run.message
    return consultation


def confirm_first_examples(consultation, by, count: int = 2) -> None:
    """Confirm the first proposed examples of every theme (what an analyst does before finalising)."""
    from ..actions import themes as actions

    for theme in consultation.themes.all():
        for example in list(theme.examples.all()[:count]):
            actions.confirm_example(theme=theme, response=example.response, by=by)
