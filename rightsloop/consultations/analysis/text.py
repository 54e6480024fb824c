"""Text normalisation and the small word lists every analysis stage shares.

Kept dependency-free so that the duplicate finder, stance rules and theme
features all agree on what "the same words" means.
"""

from __future__ import annotations

import re
import unicodedata

# Letters and digits only: punctuation and symbols never make two submissions
# different, and \w keeps accented letters and ß intact.
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

# Tokens are runs of two or more word characters; single letters carry no theme.
WORD_REGEX = r"(?u)\b[^\W\d_][^\W_]+\b"
# Every word, one letter or digit included: for comparing whole submissions.
ANY_WORD_REGEX = r"(?u)\b\w+\b"


def normalise(text: str) -> str:
    """Lower-case, compatibility-fold and strip punctuation; words joined by one space.

    NFKC first so that full-width letters, ligatures and composed/decomposed
    accents compare equal; casefold (not lower) so "Straße" equals "STRASSE".
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


# Function words for the languages consultations arrive in. They dominate short
# texts, so without removal two answers about different subjects look alike and
# key terms read "the, and, to". Only tokens the WORD_REGEX can produce.
_STOP_WORDS = {
    "en": """a about above after again against all also am an and any are as at be because been before being below
        between both but by can could did do does doing down during each few for from further had has have having he
        her here hers herself him himself his how if in into is it its itself just me more most my myself no nor not
        now of off on once only or other our ours ourselves out over own same she should so some such than that the
        their theirs them themselves then there these they this those through to too under until up very was we were
        what when where which while who whom why will with would you your yours yourself yourselves dont didnt doesnt
        im ive its thats there theyre wasnt isnt cant wont get got would really also one much many well couldn didn
        doesn don isn wasn wouldn shouldn won aren haven hasn weren ve ll re""",
    "de": """aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf aus
        bei bin bis bist da damit dann das dass dasselbe dazu dein deine dem den denn der des dessen dich die dies diese
        dieselbe diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige er es
        etwas euer eure für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre im
        in indem ins ist jede jedem jeden jeder jedes jene jetzt kann kein keine können könnte machen man manche mein
        meine mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine selbst sich sie sind
        so solche soll sollte sondern sonst über um und uns unser unter viel vom von vor wann war waren warum was weil
        weiter welche wenn werde werden wie wieder will wir wird wo wurde wurden zu zum zur zwar zwischen gibt ab sowie
        bzw ca evtl eigentlich immer mehr schon wäre würde""",
    "fr": """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même mes moi mon
        ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous
        est sont été être avoir ont avait cette cet ces comme plus aussi très tout tous toutes fait faire peut sans
        leurs dont où si car donc ainsi entre bien""",
    "es": """de la que el en los del se las por un para con una su al lo como más pero sus le ya porque muy sin sobre
        también me hasta hay donde quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos esto
        mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella estar
        estas algunas algo nosotros mi mis tú te ti tu tus ellas es son está están ser fue ha han este esta""",
    "it": """ad al allo ai agli alla alle con col coi da dal dallo dai dagli dalla dalle di del dello dei degli della
        delle in nel nello nei negli nella nelle su sul sullo sui sugli sulla sulle per tra fra il lo la gli le un uno
        una ma se che chi cui non come dove più anche io tu lui lei noi voi loro mio mia suo sua è sono essere ha hanno
        questo questa quello quella molto tutto tutti""",
    "pt": """de da do das dos em no na nos nas um uma uns umas para por com sem que se não mais mas como ao aos à às
        ou seu sua seus suas ele ela eles elas eu nós você vocês isso isto este esta esse essa muito também já foi ser
        está são tem têm pelo pela pelos pelas entre quando""",
    "nl": """de het een en van ik te dat die in is er op zijn aan met als voor had niet maar om hem dan zou of wat mijn
        men dit zo door over ze zich bij ook tot je mij uit der daar haar naar heb hoe heeft hebben deze want nog zal
        me zij nu ge geen omdat iets worden toch al waren veel meer doen toen moet ben zonder kan hun dus alles onder
        ja nee wordt""",
    "pl": """a aby ale bez bo by był była było były być co czy dla do gdy gdzie go i ich ile im in jak jako je jego jej
        jest jeszcze jeśli już każdy kiedy kto która które który ma mi mnie mu na nad nam nas nich nie nim niż o od on
        ona one oni ono oraz po pod przez przy również się so ta tak takie także tam te tego tej ten też to tu tylko
        tym w we więc wszystko z za że żeby""",
}

STOP_WORDS: frozenset[str] = frozenset(word for words in _STOP_WORDS.values() for word in words.split())


def stop_words_list() -> list[str]:
    """Sorted list form for scikit-learn vectorisers (sorted so hashing setups are reproducible)."""
    return sorted(STOP_WORDS)
