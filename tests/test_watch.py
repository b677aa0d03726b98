"""Which files a long-lived incremental run takes on each look (`footfall.watch`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from footfall.errors import InputError
from footfall.watch import ready_files


def test_files_are_handed_over_once_after_they_stop_changing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "00.log").write_text("a\n")
    actions = {
        1: lambda: (inbox / "01.log").write_text("b\n"),
        2: lambda: (inbox / "01.log").write_text("b\nc\n"),  # still being written
        3: lambda: [(inbox / ".02.log").write_text("x\n"), (inbox / "02.log.part").write_text("x\n")],
        4: lambda: (inbox / ".02.log").rename(inbox / "02.log"),
        6: lambda: (inbox / "00.log").write_text("a\nmore\n"),
    }
    looks: list[tuple[list[str], list[str]]] = []
    step = {"n": 0}

    def sleep(_: float) -> None:
        step["n"] += 1
        if step["n"] in actions:
            actions[step["n"]]()

    for look in ready_files([inbox], every=60, sleep=sleep):
        looks.append(([f.name for f in look.ready], [f.name for f in look.changed]))
        if len(looks) == 8:
            break
    # 1: what is there; 2: 01 appeared; 3: 01 changed; 4: 01 stable; 5: 02 appeared; 6: 02 stable;
    # 7: 00 was rewritten after it was handed over (reported once); 8: nothing
    ready = [r for r, _ in looks]
    assert ready == [["00.log"], [], [], ["01.log"], [], ["02.log"], [], []]
    assert [c for _, c in looks] == [[], [], [], [], [], [], ["00.log"], []]


def test_a_missing_input_is_an_error_at_the_first_look(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope: no such file or folder"):
        next(ready_files([tmp_path / "nope"], every=1))
