"""When a loop counts as closed, as properties of the counts it is computed from."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from rightsloop.engagements.loops import engagement_loop_state, participant_loop_closed

moments = st.one_of(st.none(), st.datetimes(min_value=datetime.datetime(2026, 1, 1),
                                            max_value=datetime.datetime(2026, 12, 31)))


@given(inputs=st.integers(0, 50), undecided=st.integers(0, 50), decided_at=moments, covers=moments)
def test_participant_closed_only_when_everything_is_decided_and_reported(inputs, undecided, decided_at, covers):
    undecided = min(undecided, inputs)
    closed = participant_loop_closed(inputs=inputs, undecided=undecided, last_decision_at=decided_at,
                                     last_feedback_covers=covers)
    if closed:
        assert inputs > 0 and undecided == 0 and covers is not None
        assert decided_at is None or covers >= decided_at
    elif inputs > 0 and undecided == 0 and covers is not None and decided_at is not None:
        assert covers < decided_at


@given(inputs=st.integers(0, 100), decided=st.integers(0, 100), with_inputs=st.integers(0, 20),
       closed=st.integers(0, 20))
def test_engagement_closes_when_every_input_is_decided_and_everyone_told(inputs, decided, with_inputs, closed):
    decided, closed = min(decided, inputs), min(closed, with_inputs)
    state = engagement_loop_state(inputs=inputs, decided=decided, with_inputs=with_inputs, closed=closed)
    if inputs == 0:
        assert state == "not_started"
    elif decided == inputs and closed == with_inputs:
        assert state == "closed"
    else:
        assert state == "open"
