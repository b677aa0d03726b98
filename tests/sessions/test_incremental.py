"""Incremental runs give, after every run, the report of one full run over all files seen so far.

docs/data-contracts.md → HTTP-log sessions report: "The same report must come out of every engine (embedded
and distributed) and of an incremental run over hourly files as out of one run over all of them."
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from footfall.errors import InputError
from footfall.sessions.http_pipeline import run_http_sessions

GAP = timedelta(minutes=5)
LATENESS = timedelta(minutes=10)
BASE = datetime(2019, 8, 27, tzinfo=UTC)
BATCH_SECONDS = 400  # delivery windows: one file per window


def _line(user: str, seconds: int, kind: str, ident: str) -> str:
    ts = (BASE + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = {"campaign_view": f"GET /campaigns/{ident}", "reward_issued": f"POST /rewards/{ident}"}.get(
        kind, "GET /home"
    )
    return f"{ts} {path} {user}"


@st.composite
def deliveries(draw: st.DrawFn) -> list[list[str]]:
    """Lines grouped into files by delivery window; each line is delivered up to LATENESS after its instant."""
    seconds = st.one_of(st.integers(0, 24).map(lambda k: k * 150), st.integers(0, 24).map(lambda k: k * 100))
    events = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["u1", "u2", "2000020076516"]),
                seconds,
                st.sampled_from(["campaign_view", "reward_issued", "other"]),
                st.sampled_from(["1", "2"]),
                st.integers(0, int(LATENESS.total_seconds())),
            ),
            min_size=1,
            max_size=50,
        )
    )
    files: dict[int, list[str]] = {}
    for user, at, kind, ident, delay in events:
        files.setdefault((at + delay) // BATCH_SECONDS, []).append(_line(user, at, kind, ident))
    batches = [draw(st.permutations(files[k])) for k in sorted(files)]
    # a file is known by its content: two deliveries with the same bytes are one file (docs/sessions.md)
    unique = {"".join(lines): lines for lines in reversed(batches)}
    return [lines for lines in batches if unique["".join(lines)] is lines]


def _write(folder: Path, batches: list[list[str]]) -> list[Path]:
    paths = []
    for i, lines in enumerate(batches):
        path = folder / f"hour-{i:02d}.log"
        path.write_text("".join(f"{line}\n" for line in lines))
        paths.append(path)
    return paths


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.csv"
    path.write_text("campaign_id,reward_id\n1,1\n2,2\n1,2\n")
    return path


def _full(logs: list[Path], mapping: Path, out: Path) -> pl.DataFrame:
    run_http_sessions(logs, mapping=mapping, out=out, gap=GAP, warehouse=None)
    return pl.read_parquet(out)


def _incremental(logs: list[Path], mapping: Path, out: Path, state: Path, lateness: timedelta = LATENESS) -> None:
    run_http_sessions(logs, mapping=mapping, out=out, gap=GAP, warehouse=None, state_dir=state, lateness=lateness)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=deliveries())
def test_every_incremental_run_equals_a_full_run_over_the_files_so_far(batches: list[list[str]], mapping: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        logs = _write(folder, batches)
        for k, log in enumerate(logs, start=1):
            _incremental([log], mapping, folder / "inc.parquet", folder / "state")
            _incremental([log], mapping, folder / "dataset", folder / "dataset-state")  # a folder: parts added
            expected = _full(logs[:k], mapping, folder / "full.parquet")
            assert_frame_equal(pl.read_parquet(folder / "inc.parquet"), expected)
            parts = pl.read_parquet(folder / "dataset" / "*.parquet").sort("user_id", "session_start")
            assert_frame_equal(parts, expected)
        # the last sessions are open (within one gap of the newest event), earlier ones are not
        newest = max(pl.read_parquet(folder / "full.parquet")["session_end"])
        report = pl.read_parquet(folder / "inc.parquet")
        assert report["open"].to_list() == [end > newest - GAP for end in report["session_end"]]


def test_a_session_spanning_two_files_is_merged_and_open_until_a_gap_passes(tmp_path: Path, mapping: Path) -> None:
    a, b, c = _write(
        tmp_path,
        [[_line("u1", 0, "campaign_view", "1")], [_line("u1", 200, "reward_issued", "1")], [_line("u2", 600, "x", "")]],
    )
    out, state = tmp_path / "r.parquet", tmp_path / "state"
    _incremental([a], mapping, out, state)
    assert pl.read_parquet(out).select("events", "open").rows() == [(1, True)]
    _incremental([b], mapping, out, state)
    assert pl.read_parquet(out).select("events", "reward_driven_by_campaign_view", "open").rows() == [(2, True, True)]
    _incremental([c], mapping, out, state)  # u2 at +600 s: u1's last event (+200 s) is a gap behind: closed
    assert pl.read_parquet(out).select("user_id", "open").rows() == [("u1", False), ("u2", True)]


def test_a_folder_output_is_only_for_incremental_runs(tmp_path: Path, mapping: Path) -> None:
    (log,) = _write(tmp_path, [[_line("u1", 0, "campaign_view", "1")]])
    with pytest.raises(InputError, match="a folder \\(a Parquet dataset\\) only with --incremental"):
        _full([log], mapping, tmp_path / "dataset")
    _incremental([log], mapping, tmp_path / "dataset", tmp_path / "state")
    with pytest.raises(InputError, match="the state was built with dataset="):
        _incremental([log], mapping, tmp_path / "other", tmp_path / "state")


def test_lines_later_than_the_lateness_are_rejected_as_late_and_reported(tmp_path: Path, mapping: Path) -> None:
    first, second = _write(
        tmp_path,
        [[_line("u1", 3600, "other", "")], [_line("u1", 2990, "campaign_view", "2"), _line("u2", 3590, "other", "")]],
    )
    out, state = tmp_path / "r.csv", tmp_path / "state"
    _incremental([first], mapping, out, state)
    run = run_http_sessions(
        [second], mapping=mapping, out=out, gap=GAP, warehouse=None, state_dir=state, lateness=LATENESS
    )
    assert (run.read, run.accepted, run.rejected) == (2, 1, 1)
    assert run.details.incremental.late_lines == 1
    rejects = pl.read_csv(tmp_path / "r.rejects.csv")
    assert rejects.select("source_file", "line_number", "reason").rows() == [(str(second), 1, "late")]
    assert rejects["raw"][0] == "2019-08-27T00:49:50+00:00 GET /campaigns/2 u1"  # rebuilt from the parsed fields
    assert "10m before the newest event" in rejects["detail"][0]
    # the report keeps every on-time line; a full run over both files includes the late one too
    assert pl.read_csv(out)["events"].sum() == 2
    assert _full([first, second], mapping, tmp_path / "full.parquet")["events"].sum() == 3


def test_files_already_processed_are_skipped_and_a_changed_one_is_refused(tmp_path: Path, mapping: Path) -> None:
    (log,) = _write(tmp_path, [[_line("u1", 0, "other", "")]])
    out, state = tmp_path / "r.parquet", tmp_path / "state"
    _incremental([log], mapping, out, state)
    again = run_http_sessions(
        [log], mapping=mapping, out=out, gap=GAP, warehouse=None, state_dir=state, lateness=LATENESS
    )
    assert (again.read, again.details.incremental.skipped_already_processed) == (0, [str(log)])
    assert pl.read_parquet(out)["events"].to_list() == [1]
    log.write_text(log.read_text() + _line("u1", 10, "other", "") + "\n")
    with pytest.raises(InputError, match="already processed by an earlier incremental run and its content changed"):
        _incremental([log], mapping, out, state)


def test_a_file_is_known_by_its_content_so_an_identical_copy_is_skipped(tmp_path: Path, mapping: Path) -> None:
    """Re-copying the same hourly files (new mtime, or a new name) skips them instead of failing."""
    first, second = _write(tmp_path, [[_line("u1", 0, "other", "")], [_line("u2", 10, "other", "")]])
    out, state = tmp_path / "r.parquet", tmp_path / "state"
    _incremental([first, second], mapping, out, state)
    before = pl.read_parquet(out)
    copies = tmp_path / "copies"
    copies.mkdir()
    again = [shutil.copy(first, copies / first.name), shutil.copy(second, copies / "renamed.log")]
    first.touch()  # the same content with a new mtime
    run = run_http_sessions(
        [first, *map(Path, again)],
        mapping=mapping,
        out=out,
        gap=GAP,
        warehouse=None,
        state_dir=state,
        lateness=LATENESS,
    )
    assert run.read == 0 and run.details.incremental is not None
    assert len(run.details.incremental.skipped_already_processed) == 3
    assert_frame_equal(pl.read_parquet(out), before)


def test_a_state_built_with_other_settings_is_refused(tmp_path: Path, mapping: Path) -> None:
    (log,) = _write(tmp_path, [[_line("u1", 0, "other", "")]])
    _incremental([log], mapping, tmp_path / "r.parquet", tmp_path / "state")
    with pytest.raises(InputError, match="built with lateness_us=600000000, this run has 3600000000"):
        _incremental([log], mapping, tmp_path / "r.parquet", tmp_path / "state", lateness=timedelta(hours=1))
    mapping.write_text("campaign_id,reward_id\n1,1\n")
    with pytest.raises(InputError, match="mapping_sha256"):
        _incremental([log], mapping, tmp_path / "r.parquet", tmp_path / "state")
