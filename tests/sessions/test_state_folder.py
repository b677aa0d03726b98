"""The state folder's versions and the staged output files: a kill at any step leaves one whole state."""

from __future__ import annotations

import json
from pathlib import Path

from footfall.outputs import StagedOutputs, recover_outputs
from footfall.sessions.state_folder import StateFolder


def _version(store: StateFolder, run: str, text: str, previous: str | None = None) -> None:
    folder = store.staging(run)
    (folder / "state.json").write_text(json.dumps({"run_id": run, "previous_run": previous, "x": text}))
    store.seal(run)


def test_only_a_commit_changes_the_current_version(tmp_path: Path) -> None:
    store = StateFolder(tmp_path / "state")
    assert store.current() is None
    _version(store, "a", "first")
    assert store.current() is None  # sealed, not committed
    store.commit("a")
    assert store.current() == tmp_path / "state" / "v-a"
    _version(store, "b", "second")
    store.discard("b")  # the run failed before its commit
    assert store.current() == tmp_path / "state" / "v-a" and not (tmp_path / "state" / "v-b").exists()


def test_recovery_finishes_a_committed_run_and_drops_the_rest(tmp_path: Path) -> None:
    store = StateFolder(tmp_path / "state")
    _version(store, "a", "first")
    store.commit("a")
    _version(store, "b", "killed after the warehouse committed it", previous="a")
    _version(store, "c", "killed before its commit", previous="a")
    store.staging("d")  # killed while writing
    assert store.recover(lambda run: run in ("a", "b")) == "b"
    assert store.current() == tmp_path / "state" / "v-b"
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["CURRENT", "v-b"]


def test_recovery_never_goes_back_to_an_older_version_a_cut_prune_left(tmp_path: Path) -> None:
    store = StateFolder(tmp_path / "state")
    _version(store, "a", "first")
    store.commit("a")
    _version(store, "b", "second", previous="a")
    store.commit("b")
    _version(store, "a", "an old version whose removal was cut short")  # committed, but not b's successor
    assert store.recover(lambda run: True) is None
    assert store.current() == tmp_path / "state" / "v-b"
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["CURRENT", "v-b"]


def test_a_state_of_the_layout_before_versions_is_read_and_replaced_on_the_next_commit(tmp_path: Path) -> None:
    root = tmp_path / "state"
    (root / "closed").mkdir(parents=True)
    (root / "state.json").write_text("{}")
    store = StateFolder(root)
    assert store.current() == root
    _version(store, "n", "new")
    store.commit("n")
    assert sorted(p.name for p in root.iterdir()) == ["CURRENT", "v-n"]


def test_staged_outputs_appear_only_when_published_and_a_killed_publish_is_completed(tmp_path: Path) -> None:
    import polars as pl

    report, rejects = tmp_path / "r.csv", tmp_path / "r.rejects.csv"
    report.write_text("old\n")
    staged = StagedOutputs(tag="run1")
    staged.write(pl.DataFrame({"a": [1]}), report)
    staged.write(pl.DataFrame({"b": [2]}), rejects)
    assert report.read_text() == "old\n" and not rejects.exists()
    (tmp_path / ".run1.commit").write_text("run1")  # a kill right after the marker, before the renames
    recover_outputs(tmp_path, committed=lambda run: False)
    assert report.read_text() == "a\n1\n" and rejects.read_text() == "b\n2\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_pending_outputs_of_a_run_that_did_not_commit_are_removed(tmp_path: Path) -> None:
    import polars as pl

    report = tmp_path / "r.parquet"
    for run in ("committed", "not"):
        staged = StagedOutputs(tag=run)
        staged.write(pl.DataFrame({"run": [run]}), report if run == "committed" else tmp_path / "s.parquet")
    recover_outputs(tmp_path, committed=lambda run: run == "committed")
    assert pl.read_parquet(report)["run"].to_list() == ["committed"] and not (tmp_path / "s.parquet").exists()
    assert list(tmp_path.glob(".*")) == []
