"""Sign-off records: bound to the deliverable and subtitle hashes, "changed since approval"
with the changed lines, kept through a round trip of the store."""

from __future__ import annotations

import pytest

from pipeline.delivery import approvals as ap

LINES = [(1000, 2000, "Olá"), (3000, 4000, "Nascente Baotu"), (5000, 6000, "Lago Daming")]
NOW = ap.Binding({"landscape": "a" * 64}, "s" * 64, LINES)


def approved(binding: ap.Binding = NOW) -> ap.Signoff:
    return ap.make_record(ap.Decision.APPROVED, "  Ana   Souza ", " fine ", binding)


def test_no_record_needs_review() -> None:
    assert ap.assess(None, NOW).state is ap.ApprovalState.NEEDS_REVIEW


def test_approval_holds_while_nothing_changed() -> None:
    record = approved()
    assert (record.reviewer, record.note) == ("Ana Souza", "fine")
    result = ap.assess(record, NOW)
    assert result.state is ap.ApprovalState.APPROVED and result.changed_lines == []
    assert result.to_json()["by"] == "Ana Souza"


def test_an_edited_line_turns_it_into_changed_since_approval_with_that_line() -> None:
    edited = ap.Binding({"landscape": "b" * 64}, "t" * 64,
                        [LINES[0], (3000, 4000, "FONTE SAGRADA"), LINES[2]])
    result = ap.assess(approved(), edited)
    assert result.state is ap.ApprovalState.CHANGED_SINCE_APPROVAL
    assert [(c.number, c.before, c.after) for c in result.changed_lines] == [
        (2, "Nascente Baotu", "FONTE SAGRADA")]
    assert result.deliverable_changed
    assert result.to_json()["changed_lines"] == [2]


def test_a_rerender_alone_is_a_change_without_lines() -> None:
    rerendered = ap.Binding({"landscape": "c" * 64}, NOW.subtitles_sha256, LINES)
    result = ap.assess(approved(), rerendered)
    assert result.state is ap.ApprovalState.CHANGED_SINCE_APPROVAL
    assert result.changed_lines == [] and result.deliverable_changed


def test_inserted_and_removed_lines_are_listed() -> None:
    now = [LINES[0], (2200, 2800, "new"), LINES[1]]
    changes = ap.changed_lines(LINES, now)
    assert [(c.number, c.approved_number, c.before, c.after) for c in changes] == [
        (2, None, None, "new"), (None, 3, "Lago Daming", None)]


def test_changes_requested_then_changed_needs_review_again() -> None:
    record = ap.make_record(ap.Decision.CHANGES_REQUESTED, "Li", "fix line 2", NOW)
    assert ap.assess(record, NOW).state is ap.ApprovalState.CHANGES_REQUESTED
    fixed = ap.Binding(NOW.deliverables, "u" * 64, [LINES[0], (3000, 4000, "x"), LINES[2]])
    assert ap.assess(record, fixed).state is ap.ApprovalState.NEEDS_REVIEW


def test_refusals() -> None:
    with pytest.raises(ValueError, match="name"):
        ap.make_record(ap.Decision.APPROVED, "   ", "", NOW)
    with pytest.raises(ValueError, match="no rendered deliverable"):
        ap.make_record(ap.Decision.APPROVED, "Ana", "", ap.Binding({}, None, []))


def test_store_round_trip_keeps_history_and_drops_malformed_records() -> None:
    store = ap.Store()
    store.put("v/pt", ap.make_record(ap.Decision.CHANGES_REQUESTED, "Li", "line 2", NOW))
    store.put("v/pt", approved())
    raw = store.to_json()
    raw["approvals"]["broken/zh"] = {"decision": "maybe"}
    again = ap.Store.from_json(raw)
    assert set(again.records) == {"v/pt"}
    assert again.records["v/pt"] == store.records["v/pt"]
    assert [h["decision"] for h in again.history["v/pt"]] == ["changes_requested"]
    assert ap.Store.from_json(None).records == {} and ap.Store.from_json([1]).records == {}
