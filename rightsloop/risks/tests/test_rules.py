"""Priority and escalation, as properties over every rating."""

from hypothesis import given
from hypothesis import strategies as st

from rightsloop.risks import scales
from rightsloop.risks.escalation import (
    DEFAULT_RULES,
    OLD_DEFAULT_RULES,
    Threshold,
    is_escalation,
    level_for,
    problems,
)
from rightsloop.risks.vocabulary import LEVEL_ORDER

rating = st.integers(1, 5)


@given(a=st.tuples(rating, rating, rating, rating), b=st.tuples(rating, rating, rating, rating))
def test_severity_first_likelihood_second(a, b):
    sev_a, sev_b = scales.severity(scale=a[0], scope=a[1], irremediability=a[2]), scales.severity(
        scale=b[0], scope=b[1], irremediability=b[2])
    pri_a, pri_b = scales.priority(severity=sev_a, likelihood=a[3]), scales.priority(severity=sev_b, likelihood=b[3])
    if sev_a > sev_b:
        assert pri_a > pri_b  # more severe always ranks higher, whatever the likelihoods
    elif sev_a == sev_b:
        assert (pri_a > pri_b) == (a[3] > b[3])


def test_a_severe_unlikely_risk_outranks_a_mild_likely_one():
    severe_unlikely = scales.priority(severity=scales.severity(scale=5, scope=4, irremediability=5), likelihood=1)
    mild_likely = scales.priority(severity=scales.severity(scale=2, scope=2, irremediability=1), likelihood=5)
    assert severe_unlikely > mild_likely


@given(s=st.tuples(rating, rating, rating))
def test_severity_stays_in_its_range(s):
    severity = scales.severity(scale=s[0], scope=s[1], irremediability=s[2])
    assert 3 <= severity <= 15 and 1 <= scales.severity_band(severity) <= 5


severities = st.integers(3, 15)
optional = st.one_of(st.none(), severities)
rule_sets = st.lists(st.builds(
    Threshold, level=st.sampled_from(["executive", "board"]), min_severity=severities, min_likelihood=rating,
    min_severity_any_likelihood=optional, min_irremediability=st.one_of(st.none(), rating),
    min_severity_if_irremediable=severities,
), max_size=2, unique_by=lambda t: t.level)
# Rules as an organisation could write them, plus None: the defaults.
any_rules = st.one_of(st.none(), rule_sets)
# A risk's ratings: severity is the sum, so irremediability is one of its three parts.
ratings = st.tuples(rating, rating, rating, rating)


def level_of(r: tuple[int, int, int, int], rules) -> str:
    scale, scope, irremediability, likelihood = r
    return level_for(severity=scales.severity(scale=scale, scope=scope, irremediability=irremediability),
                     likelihood=likelihood, irremediability=irremediability, rules=rules)


@given(rules=any_rules, r=ratings, part=st.integers(0, 3), more=st.integers(1, 4))
def test_raising_any_rating_never_lowers_the_level(rules, r, part, more):
    # Raising scale, scope or irremediability raises severity (and irremediability itself); raising likelihood
    # raises likelihood: none of them may ever lower who owns the risk.
    raised = tuple(min(5, value + more) if index == part else value for index, value in enumerate(r))
    assert LEVEL_ORDER[level_of(raised, rules)] >= LEVEL_ORDER[level_of(r, rules)]


@given(rules=any_rules, severity=st.integers(3, 15), likelihood=rating, irremediability=rating,
       more=st.integers(0, 5), likelier=st.integers(0, 4), harder=st.integers(0, 4))
def test_escalation_is_monotonic(rules, severity, likelihood, irremediability, more, likelier, harder):
    lower = level_for(severity=severity, likelihood=likelihood, irremediability=irremediability, rules=rules)
    higher = level_for(severity=min(15, severity + more), likelihood=min(5, likelihood + likelier),
                       irremediability=min(5, irremediability + harder), rules=rules)
    assert LEVEL_ORDER[higher] >= LEVEL_ORDER[lower]


@given(rules=rule_sets, severity=st.integers(3, 15), likelihood=rating, irremediability=rating)
def test_the_level_is_the_highest_rule_met(rules, severity, likelihood, irremediability):
    level = level_for(severity=severity, likelihood=likelihood, irremediability=irremediability, rules=rules)
    effective = rules or list(DEFAULT_RULES)
    met = [t.level for t in effective if (severity >= t.min_severity and likelihood >= t.min_likelihood)
           or (t.min_severity_any_likelihood is not None and severity >= t.min_severity_any_likelihood)
           or (t.min_irremediability is not None and irremediability >= t.min_irremediability
               and severity >= t.min_severity_if_irremediable)]
    assert level == (max(met, key=LEVEL_ORDER.get) if met else "team")


@given(scale=rating, scope=rating, likelihood=rating)
def test_severe_and_irremediable_goes_to_the_board_by_default_whatever_the_likelihood(scale, scope, likelihood):
    irremediable = max(scales.LEVELS)
    severity = scales.severity(scale=scale, scope=scope, irremediability=irremediable)
    level = level_for(severity=severity, likelihood=likelihood, irremediability=irremediable)
    if scales.is_severe(severity):
        assert level == "board"


@given(scale=rating, scope=rating, irremediability=rating, likelihood=rating)
def test_every_severe_risk_reaches_at_least_the_executive_by_default(scale, scope, irremediability, likelihood):
    severity = scales.severity(scale=scale, scope=scope, irremediability=irremediability)
    level = level_for(severity=severity, likelihood=likelihood, irremediability=irremediability)
    assert LEVEL_ORDER[level] >= LEVEL_ORDER["executive"] or not scales.is_severe(severity)


def test_the_gravest_unlikely_risk_goes_to_the_board_by_default():
    assert level_for(severity=15, likelihood=1, irremediability=5) == "board"
    # It stayed with the team under the old defaults: the issue this rule answers.
    assert level_for(severity=15, likelihood=1, irremediability=5, rules=OLD_DEFAULT_RULES) == "team"


# Each default condition, at its edge: (severity, irremediability, likelihood) -> level.
EDGES = [
    ((13, 4, 1), "board"),      # board: severity 13 whatever the likelihood
    ((12, 4, 1), "executive"),  # ...one less is severe: the executive, whatever the likelihood
    ((11, 5, 1), "board"),      # board: severe (11) and irreversible (5) whatever the likelihood
    ((10, 5, 1), "executive"),  # ...not severe: the executive's serious-and-hard-to-reverse condition
    ((12, 3, 3), "board"),      # board: severity 12 and likelihood 3
    ((12, 3, 2), "executive"),  # ...less likely: the executive, as it is severe
    ((11, 3, 1), "executive"),  # executive: severe (11) whatever the likelihood
    ((9, 4, 1), "executive"),   # executive: irremediability 4 with severity 9, whatever the likelihood
    ((9, 3, 1), "team"),        # ...easier to reverse and rare: the team
    ((9, 3, 2), "executive"),   # executive: severity 9 and likelihood 2
    ((8, 4, 5), "team"),        # below every severity the rules name: the team, however likely
]


def test_each_default_condition_at_its_edge():
    for (severity, irremediability, likelihood), level in EDGES:
        assert level_for(severity=severity, likelihood=likelihood, irremediability=irremediability) == level, (
            severity, irremediability, likelihood)


def test_the_defaults_pass_their_own_validation():
    assert problems(DEFAULT_RULES) == {} and problems(OLD_DEFAULT_RULES) == {}


def test_validation_names_each_broken_field():
    assert set(problems([Threshold("team", 9, 2)])) == {"level"}
    assert set(problems([Threshold("board", 2, 6, 16, 0, 9)])) == {
        "board_min_severity", "board_min_likelihood", "board_min_severity_any_likelihood",
        "board_min_irremediability"}
    assert set(problems([Threshold("board", 12, 3, min_irremediability=5)])) == {"board_min_severity_if_irremediable"}
    assert set(problems([Threshold("board", 12, 3), Threshold("board", 11, 3)])) == {"level"}


def test_the_executive_may_not_demand_more_than_the_board():
    assert set(problems([Threshold("board", 9, 2), Threshold("executive", 12, 3)])) == {
        "executive_min_severity", "executive_min_likelihood"}
    # The board lifts irremediable risks whatever their likelihood: so must the executive.
    assert set(problems([Threshold("board", 12, 3, None, 5, 11), Threshold("executive", 9, 2)])) == {
        "executive_min_irremediability", "executive_min_severity_if_irremediable"}
    assert problems([Threshold("board", 12, 3, 14), Threshold("executive", 9, 2, 11)]) == {}
    assert problems([Threshold("board", 12, 3)]) == {}  # one level alone is allowed


@given(rules=rule_sets)
def test_rules_that_pass_validation_keep_the_levels_nested(rules):
    # Whatever lifts a risk to the board lifts it to the executive too, so the levels never cross.
    if problems(rules) or len(rules) < 2:
        return
    board = next(t for t in rules if t.level == "board")
    executive = next(t for t in rules if t.level == "executive")
    for severity in range(3, 16):
        for likelihood in range(1, 6):
            for irremediability in range(1, 6):
                ratings = {"severity": severity, "likelihood": likelihood, "irremediability": irremediability}
                assert not board.is_met(**ratings) or executive.is_met(**ratings)


def test_escalation_direction():
    assert is_escalation("team", "board") and not is_escalation("board", "executive")
