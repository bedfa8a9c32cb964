import pytest

from cqs.dossiers.lifecycle import (
    NATIONAL_STATUS,
    TRANSITIONS,
    Act,
    IllegalTransition,
    State,
    allowed_actions,
    transition,
)


def test_every_state_maps_to_one_national_status_or_is_a_draft():
    assert set(NATIONAL_STATUS) == set(State.values)
    assert [s for s, code in NATIONAL_STATUS.items() if code is None] == [State.DRAFT]


def test_every_transition_targets_a_known_state_from_known_states():
    for t in TRANSITIONS:
        assert t.targets and t.targets <= set(State.values)
        assert t.sources <= set(State.values)


def test_illegal_transition_names_the_state_and_the_allowed_actions():
    with pytest.raises(IllegalTransition) as refused:
        transition(State.SUBMITTED, Act.SUBMIT)
    assert refused.value.details["state"] == "submitted"
    assert set(refused.value.details["allowed_actions"]) == {"accept", "request_supplement", "refuse", "withdraw"}
    assert "Mới nộp" in refused.value.message


def test_final_states_allow_nothing_but_rating_the_returned_result():
    for state in (State.REFUSED, State.WITHDRAWN, State.STOPPED):
        assert allowed_actions(state) == []
    assert allowed_actions(State.RETURNED) == ["rate"]


def test_unknown_action_is_refused():
    with pytest.raises(IllegalTransition):
        transition(State.DRAFT, "teleport")
