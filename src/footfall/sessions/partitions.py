"""Route events to partitions by a hash of the user id, in memory or spilled to disk.

Sessions never cross users, so each partition can be sessionized alone: peak memory is
bounded by the largest partition instead of the whole input. Small inputs use one
in-memory partition; inputs up to MEMORY_BYTES keep several partitions in memory (smaller
sorts, no disk I/O); larger ones spill to Arrow IPC files in a temp folder.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc

__all__ = ["MEMORY_BYTES", "PARTITION_BYTES", "EventPartitions", "input_bytes"]

PARTITION_BYTES = 96 * 1024 * 1024  # of log text per partition: ~1.7M events, ~0.6 GB in memory
MEMORY_BYTES = 768 * 1024 * 1024  # inputs up to this much text keep their partitions in memory (~2.5 GB peak)
_GZIP_RATIO = 6  # a gzip log unpacks to about this many times its size


def input_bytes(paths: Sequence[Path]) -> int:
    """The text size of the inputs (a gzip file counts as its size unpacked, estimated)."""
    size = 0
    for path in paths:
        with path.open("rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        size += path.stat().st_size * (_GZIP_RATIO if gz else 1)
    return size


class EventPartitions:
    """A frame split by `hash(key) % n`; `add` batches, then iterate the partitions in order."""

    def __init__(self, n: int, *, key: str = "user_id", spill: bool = True, spill_dir: Path | None = None) -> None:
        self.n, self.key = n, key
        self._memory: list[list[pl.DataFrame]] = [[] for _ in range(n)]
        self._dir: Path | None = None
        self._writers: list[ipc.RecordBatchFileWriter | None] = [None] * n
        self._sinks: list[pa.NativeFile | None] = [None] * n
        if n > 1 and spill:
            self._dir = Path(tempfile.mkdtemp(prefix="footfall-spill-", dir=spill_dir))

    @classmethod
    def for_inputs(cls, paths: Sequence[Path], *, n: int | None = None, key: str = "user_id") -> EventPartitions:
        """Partitions for reading `paths`: `n` (default: by size), spilled only above MEMORY_BYTES."""
        size = input_bytes(paths)
        return cls(n or max(1, math.ceil(size / PARTITION_BYTES)), key=key, spill=size > MEMORY_BYTES)

    @property
    def spills(self) -> bool:
        """Whether the partitions go to disk (else they stay in memory)."""
        return self._dir is not None

    def add(self, frame: pl.DataFrame) -> None:
        """Route the rows of `frame` to their partitions."""
        if not frame.height:
            return
        if self.n == 1:
            self._memory[0].append(frame)
            return
        part = (frame[self.key].hash(seed=0) % self.n).cast(pl.Int64)
        split = frame.with_columns(_p=part).partition_by("_p", as_dict=True, include_key=False)
        for (index,), rows in split.items():
            i = int(index)  # type: ignore[call-overload,unused-ignore]
            if self._dir is None:
                self._memory[i].append(rows)
                continue
            table = rows.to_arrow()  # large_string: a string_view would drag its whole chunk's buffers along
            writer = self._writers[i]
            if writer is None:
                self._sinks[i] = pa.OSFile(str(self._path(i)), "wb")
                writer = self._writers[i] = ipc.new_file(self._sinks[i], table.schema)
            writer.write_table(table)

    def __iter__(self) -> Iterator[pl.DataFrame]:
        """Each non-empty partition as one frame, partition 0 first."""
        self._close_writers()
        if self._dir is None:
            for frames in self._memory:
                if frames:
                    yield pl.concat(frames)
            return
        for path in self._files():
            yield pl.read_ipc(path)

    def has_rows(self) -> bool:
        """Whether any rows were added."""
        return any(self._memory) or any(w is not None for w in self._writers) or bool(self._dir and self._files())

    def lazy(self) -> pl.LazyFrame:
        """All partitions as one lazy frame (streamed from disk when spilled)."""
        self._close_writers()
        if self._dir is None:
            frames = [frame for part in self._memory for frame in part]
            return pl.concat(frames).lazy() if frames else pl.LazyFrame()
        files = self._files()
        return pl.scan_ipc(files) if files else pl.LazyFrame()

    def _path(self, index: int) -> Path:
        assert self._dir is not None
        return self._dir / f"{index}.arrow"

    def _files(self) -> list[Path]:
        return [p for p in (self._path(i) for i in range(self.n)) if p.exists()]

    def _close_writers(self) -> None:
        for i, writer in enumerate(self._writers):
            if writer is not None:
                writer.close()
                self._writers[i] = None
            sink = self._sinks[i]
            if sink is not None:
                sink.close()
                self._sinks[i] = None

    def close(self) -> None:
        """Remove spill files."""
        self._close_writers()
        self._memory = [[] for _ in range(self.n)]
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> EventPartitions:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
