"""Lining up a hand-edited subtitle file with a new translation, and merging the editor's
choices (pipeline/delivery/edits.py): the rules the review desk's conflict page relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.delivery import edits
from pipeline.subtitles import Cue
from pipeline.workspace import Task


def cue(start: float, end: float, text: str) -> Cue:
    return Cue(int(start * 1000), int(end * 1000), text)


def test_each_new_event_goes_to_the_line_it_overlaps_longest() -> None:
    current = [cue(0, 3, "um"), cue(3, 6, "dois"), cue(8, 10, "três")]
    proposed = [cue(0, 1.2, "a"), cue(1.2, 4, "b"),  # b: 1.8 s under line 1, 1 s under line 2
                cue(4, 6, "c"), cue(6.5, 7.5, "d"),  # d overlaps nothing: a new line
                cue(8, 9, "e"), cue(9, 10, "f")]  # a line split in two goes back together
    per_line, orphans = edits.line_up(current, proposed)
    assert [[e.text for e in events] for events in per_line] == [["a", "b"], ["c"], ["e", "f"]]
    assert [e.text for e in orphans] == ["d"]


def test_a_tie_goes_to_the_earlier_line_and_touching_is_no_overlap() -> None:
    current = [cue(0, 2, "x"), cue(2, 4, "y")]
    per_line, orphans = edits.line_up(current, [cue(1, 3, "tie"), cue(4, 5, "after")])
    assert [[e.text for e in events] for events in per_line] == [["tie"], []]
    assert [e.text for e in orphans] == ["after"]


def test_source_changes_pair_old_and_new_lines() -> None:
    before = [(0, 1000, "a"), (1000, 2000, "b"), (2000, 3000, "c")]
    after = [(0, 1000, "a"), (1000, 2000, "B!"), (2000, 3000, "c"), (3000, 4000, "d")]
    changes = edits.source_changes(before, after)
    assert [(c.before, c.after) for c in changes] == [
        ((1000, 2000, "b"), (1000, 2000, "B!")), (None, (3000, 4000, "d"))]
    assert changes[0].overlaps(1500, 2500) and not changes[0].overlaps(2000, 2500)


def proposal(rows: list[edits.Row], current: list[Cue]) -> edits.Proposal:
    return edits.Proposal(Task("translate", "v", "pt"), "fp", Path("pt/subtitles.srt"), "sha",
                          tuple(current), (), tuple(rows), ())


CURRENT = [cue(0, 2, "Olá de Jinan!"), cue(2, 4, "velha tradução"), cue(6, 8, "some")]
ROWS = [
    edits.Row("1", 1, 0, 2000, "Olá de Jinan!", "Jinan é conhecida", True, ()),
    edits.Row("2", 2, 2000, 4000, "velha tradução", "nova tradução", False, ()),
    edits.Row("new-1", None, 4000, 5000, None, "linha nova", None, ()),
    edits.Row("3", 3, 6000, 8000, "some", None, None, ()),
]


def test_defaults_keep_what_the_editor_wrote_and_take_the_machines_lines() -> None:
    assert [r.default for r in ROWS] == ["keep", "take", "take", "keep"]
    merged = edits.merge(proposal(ROWS, CURRENT), {})
    assert merged == [cue(0, 2, "Olá de Jinan!"), cue(2, 4, "nova tradução"),
                      cue(4, 5, "linha nova"), cue(6, 8, "some")]


def test_take_one_line_keeps_the_other_edited_lines_and_their_times() -> None:
    merged = edits.merge(proposal(ROWS, CURRENT), {"1": "take", "2": "keep", "new-1": "keep",
                                                   "3": "take"})
    assert merged == [cue(0, 2, "Jinan é conhecida"), cue(2, 4, "velha tradução")]  # 3: gone


def test_keeping_every_line_keeps_the_file_as_it_is() -> None:
    keep_all = {r.key: "keep" for r in ROWS}
    assert edits.merge(proposal(ROWS, CURRENT), keep_all) is None


@pytest.mark.parametrize("choices, reason", [({"9": "keep"}, "no line 9"),
                                             ({"1": "maybe"}, "choose 'keep' or 'take'")])
def test_unknown_lines_and_choices_are_refused(choices: dict[str, str], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        edits.merge(proposal(ROWS, CURRENT), choices)
