"""Process an inbox of membership application CSVs into one batch of successful and unsuccessful rows.

Rules: docs/members.md. Layout and commit protocol: `batches.py`. A file whose content was
processed before is not processed again. A file that cannot be an input — its header lacks a
required column, or it cannot be read as CSV (a field over the CSV reader's limit, a NUL byte, bad
encoding) — is moved to the quarantine with its reason, and the other files still run. The batch
commits once: with a warehouse, its members, run record and processed files in one transaction;
without, the manifest. Outputs are published, and inputs archived, only after that commit.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.interrupts import committing
from footfall.members.applications import INPUT_COLUMNS, evaluate, membership_id
from footfall.members.batches import Manifest, archive, finish_pending, quarantine
from footfall.outputs import StagedOutputs
from footfall.runs import RunSummary
from footfall.sessions.incremental import file_digest
from footfall.warehouse import Warehouse

__all__ = ["MEMBER_COLUMNS", "process_inbox"]

MEMBER_COLUMNS = [
    "membership_id",
    "first_name",
    "last_name",
    "email",
    "date_of_birth",
    "mobile_no",
    "source_file",
    "batch_id",
]
_MAX_FIELD = 1 << 20  # a CSV field longer than this (1 MiB) makes the file unreadable: quarantined
csv.field_size_limit(_MAX_FIELD)


@dataclass
class _Rows:
    successful: list[dict[str, Any]] = field(default_factory=list)
    unsuccessful: list[dict[str, Any]] = field(default_factory=list)


def process_inbox(
    inbox: Path,
    out: Path,
    *,
    reference_date: date,
    warehouse: Warehouse | None,
    now: datetime | None = None,
    id_key: str | None = None,
) -> RunSummary:
    """Process every new CSV in `inbox` into one batch under `out`; load successes into `members`.

    Files that cannot be inputs are quarantined and listed in `details.quarantined` (the CLI then
    exits non-zero); the rest still make the batch. `id_key` keys the membership ids (default: the
    FOOTFALL_MEMBERSHIP_ID_KEY setting; none: the spec's plain form).
    """
    if id_key is None:
        from footfall.config import get_settings

        secret = get_settings().membership_id_key
        id_key = secret.get_secret_value() if secret is not None else None
    if not inbox.is_dir():
        raise InputError(f"{inbox}: no such inbox folder")
    for name in ("successful", "unsuccessful", "archive"):
        (out / name).mkdir(parents=True, exist_ok=True)
    manifest = Manifest.read(out, warehouse)
    finish_pending(out, manifest)
    if manifest.stale:
        manifest.write(out)
    new, seen = _new_files(inbox, manifest)
    summary = RunSummary("members process", inputs=[str(p) for p in new.values()])
    summary.details.already_processed = [str(p) for p in seen]
    summary.details.reference_date = str(reference_date)
    batch = _batch_id(now or datetime.now(UTC), manifest)
    rows, quarantined = _Rows(), {}
    for digest, path in list(new.items()):
        problem = _evaluate_file(path, rows, reference_date=reference_date, batch=batch, key=id_key)
        if problem is not None:
            quarantine(path, problem, out / "quarantine" / batch)
            quarantined[str(path)] = problem
            del new[digest]
    summary.details.quarantined = quarantined or None
    summary.inputs = [str(p) for p in new.values()]
    if new:
        _commit(summary, rows, new, out=out, batch=batch, manifest=manifest, warehouse=warehouse)
    archive(seen, out / "archive" / "already-processed")
    return summary


def _new_files(inbox: Path, manifest: Manifest) -> tuple[dict[str, Path], list[Path]]:
    """(digest → file not processed before, files whose content was), in name order."""
    new: dict[str, Path] = {}
    seen: list[Path] = []
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() == ".csv"):
        digest = file_digest(path)
        if digest in manifest.files or digest in new:
            seen.append(path)
        else:
            new[digest] = path
    return new, seen


def _commit(
    summary: RunSummary,
    rows: _Rows,
    files: dict[str, Path],
    *,
    out: Path,
    batch: str,
    manifest: Manifest,
    warehouse: Warehouse | None,
) -> None:
    """Stage the batch's outputs, commit the batch, then publish the outputs and archive its inputs."""
    summary.details.batch = batch
    summary.read = len(rows.successful) + len(rows.unsuccessful)
    summary.accepted, summary.rejected = len(rows.successful), len(rows.unsuccessful)
    summary.written = len(rows.successful)
    summary.details.reject_reasons = _reason_counts(rows.unsuccessful)
    outputs = [out / "successful" / f"applications_{batch}.csv", out / "unsuccessful" / f"applications_{batch}.csv"]
    summary.details.successful, summary.details.unsuccessful = str(outputs[0]), str(outputs[1])
    staged, committed = StagedOutputs(tag=batch), False

    def publish() -> None:  # right after the commit, never cut by Ctrl-C; a kill here: the next run finishes it
        nonlocal committed
        committed = warehouse is not None
        manifest.write(out)  # the commit point without a warehouse
        committed = True
        staged.publish()

    try:
        staged.write(_frame(rows.successful, _SUCCESS_COLUMNS), outputs[0])
        staged.write(_frame(rows.unsuccessful, _FAILURE_COLUMNS), outputs[1])
        manifest.add(batch, files)
        if warehouse is None:
            with committing():
                publish()
        else:
            with warehouse.transaction(then=publish):
                _load(warehouse, summary, rows, files, batch)
    finally:
        if not committed:
            staged.discard()
    archive(list(files.values()), out / "archive" / batch)


def _load(warehouse: Warehouse, summary: RunSummary, rows: _Rows, files: dict[str, Path], batch: str) -> None:
    """The batch's members, its processed files and its run record (inside one transaction)."""
    members = _frame(rows.successful, _SUCCESS_COLUMNS).select(
        *(c for c in MEMBER_COLUMNS if c != "date_of_birth"),
        date_of_birth=pl.col("date_of_birth").str.to_date("%Y%m%d"),
    )
    warehouse.upsert("members", members.unique("membership_id", keep="last"), key="membership_id")
    processed = pl.DataFrame(
        {
            "sha256": list(files),
            "file_name": [p.name for p in files.values()],
            "batch_id": batch,
            "run_id": summary.run_id,
            "processed_at": summary.started_at,
        }
    )
    warehouse.insert("member_files", processed)
    summary.record(warehouse)


_LINEAGE = ["source_file", "line_number", "batch_id"]
_SUCCESS_COLUMNS = [*INPUT_COLUMNS, "first_name", "last_name", "above_18", "membership_id", *_LINEAGE]
_FAILURE_COLUMNS = [*INPUT_COLUMNS, "first_name", "last_name", "above_18", "reasons", *_LINEAGE]


def _evaluate_file(path: Path, rows: _Rows, *, reference_date: date, batch: str, key: str | None) -> str | None:
    """Every data row of `path` into exactly one of the two outputs; or why the file cannot be an input."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    if "\x00" in text:
        return "the file holds a NUL byte: not a CSV text file"
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in INPUT_COLUMNS if c not in header]
        if missing:
            return (
                f"header: missing column {missing[0]!r} (expected {','.join(INPUT_COLUMNS)}; found {','.join(header)})"
            )
        added = _Rows()
        for record in reader:
            _evaluate_row(
                record, header, reader.line_num, added, path=path, reference_date=reference_date, batch=batch, key=key
            )
    except csv.Error as exc:
        return f"line {reader.line_num}: not readable as CSV ({exc})"
    rows.successful += added.successful
    rows.unsuccessful += added.unsuccessful
    return None


def _evaluate_row(
    record: list[str],
    header: list[str],
    number: int,
    rows: _Rows,
    *,
    path: Path,
    reference_date: date,
    batch: str,
    key: str | None,
) -> None:
    """One application (`number`: its last line — quoted fields may span lines) into one of the outputs."""
    if not any(cell.strip() for cell in record):
        return  # a blank line is not an application
    raw = dict(zip(header, record, strict=False))
    base: dict[str, Any] = {c: raw.get(c, "") for c in INPUT_COLUMNS}
    base |= {"source_file": path.name, "line_number": number, "batch_id": batch}
    problems = [f"row: {len(record)} fields, expected {len(header)}"] if len(record) != len(header) else []
    app = evaluate(base, reference_date=reference_date)
    reasons = problems + list(app.reasons)
    cleaned = {"first_name": app.first_name, "last_name": app.last_name, "above_18": app.above_18}
    if reasons:
        rows.unsuccessful.append(base | cleaned | {"reasons": json.dumps(reasons)})
    else:
        rows.successful.append(
            base
            | cleaned
            | {
                "date_of_birth": app.date_of_birth,
                "membership_id": membership_id(app.last_name, app.date_of_birth, key=key),
            }
        )


def _reason_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many failed applications gave each reason, the rejected value left out (for the dashboard)."""
    counts: dict[str, int] = {}
    for row in rows:
        for reason in json.loads(row["reasons"]):
            key = re.sub(r"\s*\(.*\)$", "", reason)
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pl.DataFrame:
    schema = {c: pl.Int64 if c == "line_number" else pl.Boolean if c == "above_18" else pl.String for c in columns}
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=schema, orient="row")


def _batch_id(now: datetime, manifest: Manifest) -> str:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    batch, n = stamp, 1
    while batch in manifest.batches:
        n += 1
        batch = f"{stamp}-{n}"
    return batch
