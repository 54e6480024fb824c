"""Synthetic consultation replies with planted themes, built fresh by the analysis tests (no real data)."""

import random


def _words(text: str) -> list[str]:
    return text.split()


THEMES = {
    "parking": _words("parking car park spaces permit fees pay ticket bay disabled charges expensive multistorey"),
    "staff": _words("nurse nurses doctor staff kind friendly caring rude attitude helpful receptionist polite"),
    "waiting": _words("waiting wait hours delay queue appointment late cancelled slow weeks months list"),
    "food": _words("food meal meals lunch dinner breakfast menu cold tasty hot vegetarian canteen"),
    "cycling": _words("bike bicycle cycle lane lanes path cyclists helmet pedal route junction crossing"),
}
FILLER = _words("the a and was very it i we they this that of in on for with really quite about there here")


def planted_corpus(size: int = 600, seed: int = 1) -> tuple[list[str], list[str]]:
    """size texts, evenly spread over THEMES: 8-9 theme words mixed with 6-9 filler words each."""
    rng = random.Random(seed)
    names = sorted(THEMES)
    texts, labels = [], []
    for i in range(size):
        name = names[i % len(names)]
        words = rng.choices(THEMES[name], k=rng.randint(8, 9)) + rng.choices(FILLER, k=rng.randint(6, 9))
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + ".")
        labels.append(name)
    return texts, labels
