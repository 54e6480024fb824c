"""The demo's public consultation: a few hundred fictional responses, generated from fixed pieces.

The pieces are varied enough for duplicates, a campaign, two stances and several languages to show in the
analysis pages; the generator is seeded so every `make demo` shows the same themes.
"""

from __future__ import annotations

import random

TITLE = "Default end-to-end encryption in Kestrel Messenger"
QUESTION = "Should Kestrel Messenger turn on end-to-end encryption for every conversation by default?"

# (theme, language) -> (sentences for the proposal, sentences against it)
PIECES: dict[tuple[str, str], tuple[list[str], list[str]]] = {
    ("surveillance", "en"): (
        ["Yes, encryption protects journalists and activists from government surveillance.",
         "I agree: without encryption the police in my country read our messages.",
         "Please encrypt everything, state surveillance of activists is real here."],
        ["No, I trust the authorities and do not worry about surveillance of messages.",
         "I disagree, surveillance concerns are exaggerated for ordinary users."]),
    ("surveillance", "es"): (
        ["Sí, el cifrado protege a los periodistas de la vigilancia del gobierno.",
         "Estoy de acuerdo, la policía lee nuestros mensajes sin orden judicial."],
        ["No, la vigilancia no es un problema para la mayoría de usuarios."]),
    ("child_safety", "en"): (
        ["Yes, but keep the reporting button so children can report abuse.",
         "Encryption also protects children from strangers reading their chats, I support it."],
        ["No, encryption makes it harder to find child abuse material and protect kids.",
         "I oppose this because groomers will hide behind encryption and children pay the price.",
         "Do not do it, child protection teams need to see reported conversations."]),
    ("child_safety", "fr"): (
        ["Oui, à condition que les enfants puissent signaler les abus facilement."],
        ["Non, le chiffrement empêche de protéger les enfants contre les abus."]),
    ("misinformation", "en"): (
        ["Yes. Fight misinformation with labels on forwarded messages, not by reading chats."],
        ["No, false rumours spread in private groups and nobody can stop them once encrypted.",
         "I disagree, misinformation before elections will get worse if you cannot see viral messages."]),
    ("misinformation", "es"): (
        ["Sí, pero limiten el reenvío masivo de mensajes para frenar los rumores."],
        ["No, la desinformación en grupos privados será imposible de frenar."]),
    ("backups", "en"): (
        ["Yes, and please encrypt the cloud backups too, not only the messages.",
         "Agree, but let me keep an encrypted backup so I do not lose my photos."],
        ["No, I will lose all my chat history if I lose my phone and the backup is locked."]),
    ("backups", "de"): (
        ["Ja, aber bitte auch die Sicherungskopien in der Cloud verschlüsseln."],
        ["Nein, ich habe Angst, meinen Chatverlauf zu verlieren, wenn das Telefon kaputt geht."]),
    ("performance", "en"): (
        ["Yes, as long as it works on cheap phones with slow networks."],
        ["No, my old phone is already slow and encryption will drain the battery and data.",
         "Against: messages already arrive late on 2G, please do not make the app heavier."]),
    ("performance", "fr"): (
        ["Oui, si l'application reste rapide sur les téléphones bon marché."],
        ["Non, mon vieux téléphone est déjà lent et la batterie se vide vite."]),
}
# The labels the demo's analyst writes for the themes discovery finds (see topic_of).
THEME_LABELS = {
    "surveillance": "Protection from state surveillance",
    "child_safety": "Keeping children safe",
    "misinformation": "Misinformation in private groups",
    "backups": "Losing or securing backups",
    "performance": "Speed on cheap phones",
    "campaign": "Encryption as a human right (campaign)",
    "other": "Other views on encryption",
}


def topic_of(texts: list[str], *, taken: set[str] = frozenset()) -> str:
    """The planted topic most of these texts come from, preferring one not yet taken (each label once)."""
    votes: dict[str, int] = {}
    for text in texts:
        for (topic, _language), (pro, con) in PIECES.items():
            if any(sentence in text for sentence in pro + con):
                votes[topic] = votes.get(topic, 0) + 1
        if "Encryption is a human right" in text:
            votes["campaign"] = votes.get("campaign", 0) + 1
    ranked = sorted(votes, key=lambda topic: -votes[topic])
    return next((topic for topic in ranked if topic not in taken), "other")


# One organised campaign: many people sent the same template, with small edits.
CAMPAIGN = ("Encryption is a human right. Turn it on by default for every conversation, in every country, "
            "with no backdoor for any government. Signed, a concerned user from {place}.")
PLACES = ["Nairobi", "Lagos", "Manila", "Lima", "Dhaka", "Jakarta", "Kampala", "Bogotá", "Accra", "Cairo"]
OPENERS = {"en": ["", "Honestly, ", "For me, ", "In short: "], "es": ["", "Para mí, "], "fr": ["", "Pour moi, "],
           "de": ["", "Ehrlich gesagt: "]}
REGIONS = ["Kenya", "Nigeria", "Philippines", "Peru", "Bangladesh", "Indonesia", "Uganda", "Colombia"]


def responses(count: int = 400, *, seed: int = 7) -> list[dict[str, str]]:
    """Rows as an export of a survey tool would give them (the demo imports them as CSV)."""
    rng = random.Random(seed)  # noqa: S311 - fictional demo content, not secrets
    keys = sorted(PIECES)
    rows = []
    for number in range(1, count + 1):
        row = {"respondent_id": f"R{number:05d}", "region": rng.choice(REGIONS), "email": "", "consent": "no",
               "receipt": f"KM-{rng.randrange(16**6):06X}"}
        roll = rng.random()
        if roll < 0.12:
            row["response"] = CAMPAIGN.format(place=rng.choice(PLACES))
            row["language"] = "en"
        else:
            theme, language = keys[rng.randrange(len(keys))]
            supporting, opposing = PIECES[(theme, language)]
            said = rng.choice(supporting if rng.random() < 0.55 else opposing)
            if rng.random() < 0.3:  # a second point from another theme in the same language
                other = [key for key in keys if key[1] == language and key[0] != theme]
                if other:
                    extra_for, extra_against = PIECES[rng.choice(other)]
                    said += " " + rng.choice(extra_for + extra_against)
            opener = rng.choice(OPENERS[language])
            row["response"] = opener + (said[0].lower() + said[1:] if opener else said)
            row["language"] = language if rng.random() < 0.5 else ""
        if rng.random() < 0.45:
            row["email"] = f"respondent{number}@example.org"
            row["consent"] = "yes" if rng.random() < 0.8 else "no"
        rows.append(row)
    return rows
