"""Priority and escalation, as properties over every rating."""

from hypothesis import given
from hypothesis import strategies as st

from rightsloop.risks import scales
from rightsloop.risks.escalation import Threshold, is_escalation, level_for
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


thresholds = st.lists(st.builds(Threshold, level=st.sampled_from(["executive", "board"]),
                                min_severity=st.integers(3, 15), min_likelihood=rating),
                      max_size=2, unique_by=lambda t: t.level)


@given(rules=thresholds, severity=st.integers(3, 15), likelihood=rating, more=st.integers(0, 5),
       likelier=st.integers(0, 4))
def test_escalation_is_monotonic(rules, severity, likelihood, more, likelier):
    lower = level_for(severity=severity, likelihood=likelihood, rules=rules)
    higher = level_for(severity=min(15, severity + more), likelihood=min(5, likelihood + likelier), rules=rules)
    assert LEVEL_ORDER[higher] >= LEVEL_ORDER[lower]


@given(rules=thresholds, severity=st.integers(3, 15), likelihood=rating)
def test_the_level_is_the_highest_rule_met(rules, severity, likelihood):
    level = level_for(severity=severity, likelihood=likelihood, rules=rules)
    effective = rules or [Threshold("board", 12, 3), Threshold("executive", 9, 2)]
    met = [t.level for t in effective if severity >= t.min_severity and likelihood >= t.min_likelihood]
    assert level == (max(met, key=LEVEL_ORDER.get) if met else "team")


def test_escalation_direction():
    assert is_escalation("team", "board") and not is_escalation("board", "executive")
