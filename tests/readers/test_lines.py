"""Splitting a file into batches of lines (the zero-copy views every line reader parses) and numbering them."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footfall.readers.lines import iter_line_batches, iter_parsed


def reference_lines(data: bytes, limit: int = 1 << 20) -> list[str]:
    """What a line reader must see: lines split at \\n, one trailing \\r removed; a line no parser can read
    marked (NUL, reason, NUL, lossy text without NUL; a too-long one cut to its first 1,000 bytes)."""
    pieces = data.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()
    out = []
    for raw in pieces:
        raw = raw.removesuffix(b"\r")
        if len(raw) > limit:
            kept = raw[: min(1000, limit)].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
            out.append("\x00line_too_long\x00" + kept)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            out.append("\x00invalid_utf8\x00" + raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd"))
            continue
        out.append("\x00nul_byte\x00" + text.replace("\x00", "\ufffd") if "\x00" in text else text)
    return out


line_text = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=30),
    st.sampled_from(["", "\r", "a\r", "x" * 12, "y" * 13, "2019-06-01T10:00:00Z GET /campaigns/1 u1", "é" * 7]),
).map(lambda s: s.encode("utf-8"))
bad_bytes = st.sampled_from([b"\xff", b"\xc3", b"ab\xe2\x82", b"\x80\x80", b"a\x00b", b"\x00", b"z" * 300])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.one_of(line_text, line_text, bad_bytes), max_size=60),
    ending=st.sampled_from([b"\n", b"\r\n", b""]),
    chunk=st.integers(1, 200),
    gz=st.booleans(),
    limit=st.sampled_from([100, 1 << 20]),
)
def test_batches_hold_every_line_once_in_order_as_views(
    tmp_path: Path, lines: list[bytes], ending: bytes, chunk: int, gz: bool, limit: int
) -> None:
    """Whatever the block size, line endings (\\n, \\r\\n, none on the last line), length (views inline
    up to 12 bytes; over the maximum: cut and marked) or encoding, the batches hold exactly the file's
    lines in order."""
    data = b"\n".join(lines) + (ending if lines else b"")
    path = tmp_path / ("in.log.gz" if gz else "in.log")
    path.write_bytes(gzip.compress(data) if gz else data)
    got = pl.concat(
        [pl.Series("line", [], pl.String)]
        + [b.lines() for b in iter_line_batches(path, chunk_bytes=chunk, max_line_bytes=limit)]
    )
    want = reference_lines(data, limit)
    assert got.to_list() == want
    # Polars compares short (inline) views as whole 16 bytes: they must equal freshly built strings
    assert (got == pl.Series("line", want, pl.String)).all()
    assert got.n_unique() == len(set(want))


def test_line_numbers_and_seq_run_across_batches_and_files(tmp_path: Path) -> None:
    """line_number restarts at 1 in each file; seq runs on across files from first_seq."""
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text("".join(f"a{i}\n" for i in range(1, 1001)))
    b.write_text("".join(f"b{i}\n" for i in range(1, 501)))

    def parse(lines: pl.Series, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        rows = (
            pl.DataFrame({"raw": lines})
            .with_row_index("seq")
            .with_columns(
                seq=pl.col("seq").cast(pl.Int64), line_number=pl.col("seq").cast(pl.Int64) + 1, source=pl.lit(source)
            )
        )
        odd = pl.col("raw").str.slice(1).cast(pl.Int64) % 2 == 1
        return rows.filter(~odd), rows.filter(odd).drop("seq")  # odd lines "rejected": no seq

    batches = list(iter_parsed([a, b], parse, chunk_bytes=512, first_seq=100))
    assert len(batches) > 4
    events = pl.concat([x.events for x in batches])
    rejects = pl.concat([x.rejects for x in batches])
    both = pl.concat([events.drop("seq"), rejects]).sort("source", "line_number")
    assert both["raw"].to_list() == [f"a{i}" for i in range(1, 1001)] + [f"b{i}" for i in range(1, 501)]
    assert all(int(r["raw"][1:]) == r["line_number"] for r in both.iter_rows(named=True))
    assert events["seq"].to_list() == [100 + i for i in range(1, 1500, 2)]  # even lines: every second seq


def test_a_huge_line_is_read_in_linear_time_and_bounded_memory(tmp_path: Path) -> None:
    """100 MB on one line between two good lines: its start is kept and marked, nothing is copied per block."""
    import resource
    import time

    path = tmp_path / "huge.log"
    with path.open("wb") as out:
        out.write(b"first\n")
        for _ in range(100):
            out.write(b"x" * (1 << 20))
        out.write(b"\nlast\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    lines = [line for batch in iter_line_batches(path, max_line_bytes=1 << 20) for line in batch.lines().to_list()]
    seconds = time.perf_counter() - started
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert lines == ["first", "\x00line_too_long\x00" + "x" * 1000, "last"]
    assert seconds < 20 and grown_mib < 400, (seconds, grown_mib)  # was 110 s and 1.7 GB
