"""Process an inbox of membership application CSVs into one batch of successful and unsuccessful rows.

Layout under `out`: `successful/applications_<batch>.csv`, `unsuccessful/applications_<batch>.csv`,
`archive/<batch>/<file>` (the inputs, moved) and `manifest.json` (the SHA-256 of every processed
file and the batches). The manifest is the commit point: outputs are written under temp names,
renamed, the warehouse is loaded, then the manifest is replaced; batch files the manifest does
not know (left by a run that died) are removed at the start of the next run, and a run that
fails removes its own. A file whose content was processed before is not processed again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.members.applications import INPUT_COLUMNS, evaluate
from footfall.runs import RunSummary
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


@dataclass
class _Rows:
    successful: list[dict[str, Any]] = field(default_factory=list)
    unsuccessful: list[dict[str, Any]] = field(default_factory=list)


def process_inbox(
    inbox: Path, out: Path, *, reference_date: date, warehouse: Warehouse | None, now: datetime | None = None
) -> RunSummary:
    """Process every new CSV in `inbox` into one batch under `out`; load successes into `members`."""
    if not inbox.is_dir():
        raise InputError(f"{inbox}: no such inbox folder")
    out.mkdir(parents=True, exist_ok=True)
    for name in ("successful", "unsuccessful", "archive"):
        (out / name).mkdir(exist_ok=True)
    manifest = _read_manifest(out)
    _remove_orphans(out, manifest)
    files = sorted(p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    new: dict[str, Path] = {}
    seen: list[Path] = []
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in manifest["files"] or digest in new:
            seen.append(path)
        else:
            new[digest] = path
    summary = RunSummary("members process", inputs=[str(p) for p in new.values()])
    batch = _batch_id(now or datetime.now(UTC), manifest)
    summary.details.update(batch=batch, already_processed=[str(p) for p in seen], reference_date=str(reference_date))
    if not new:
        _archive(seen, out / "archive" / "already-processed")
        summary.details["batch"] = None
        return summary
    rows = _Rows()
    for path in new.values():
        _evaluate_file(path, rows, reference_date=reference_date, batch=batch)
    summary.read = len(rows.successful) + len(rows.unsuccessful)
    summary.accepted, summary.rejected = len(rows.successful), len(rows.unsuccessful)
    summary.details["reject_reasons"] = _reason_counts(rows.unsuccessful)
    outputs = [out / "successful" / f"applications_{batch}.csv", out / "unsuccessful" / f"applications_{batch}.csv"]
    try:
        _write_csv(_frame(rows.successful, _SUCCESS_COLUMNS), outputs[0])
        _write_csv(_frame(rows.unsuccessful, _FAILURE_COLUMNS), outputs[1])
        summary.written = len(rows.successful)
        summary.details.update(successful=str(outputs[0]), unsuccessful=str(outputs[1]))
        if warehouse is not None:
            with warehouse.transaction():
                members = _frame(rows.successful, _SUCCESS_COLUMNS).select(
                    *(c for c in MEMBER_COLUMNS if c != "date_of_birth"),
                    date_of_birth=pl.col("date_of_birth").str.to_date("%Y%m%d"),
                )
                warehouse.upsert("members", members.unique("membership_id", keep="last"), key="membership_id")
                summary.details["warehouse"] = warehouse.url
                summary.record(warehouse)
        for digest, path in new.items():
            manifest["files"][digest] = {"file": path.name, "batch": batch}
        manifest["batches"].append(batch)
        _write_manifest(out, manifest)
    except BaseException:
        for path in outputs:
            path.unlink(missing_ok=True)
        raise
    _archive(list(new.values()), out / "archive" / batch)
    _archive(seen, out / "archive" / "already-processed")
    return summary


_LINEAGE = ["source_file", "line_number", "batch_id"]
_SUCCESS_COLUMNS = [*INPUT_COLUMNS, "first_name", "last_name", "above_18", "membership_id", *_LINEAGE]
_FAILURE_COLUMNS = [*INPUT_COLUMNS, "first_name", "last_name", "above_18", "reasons", *_LINEAGE]


def _evaluate_file(path: Path, rows: _Rows, *, reference_date: date, batch: str) -> None:
    """Every data row of `path` into exactly one of the two outputs."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in INPUT_COLUMNS if c not in header]
    for record in reader:
        number = reader.line_num  # the record's (last) line: quoted fields may span lines
        if not any(cell.strip() for cell in record):
            continue  # a blank line is not an application
        raw = dict(zip(header, record, strict=False))
        base: dict[str, Any] = {c: raw.get(c, "") for c in INPUT_COLUMNS}
        base |= {"source_file": path.name, "line_number": number, "batch_id": batch}
        problems = []
        if missing:
            problems.append(f"file: missing column {missing[0]!r} (expected header {','.join(INPUT_COLUMNS)})")
        elif len(record) != len(header):
            problems.append(f"row: {len(record)} fields, expected {len(header)}")
        app = evaluate(base, reference_date=reference_date)
        reasons = problems + list(app.reasons)
        cleaned = {"first_name": app.first_name, "last_name": app.last_name, "above_18": app.above_18}
        if reasons:
            rows.unsuccessful.append(base | cleaned | {"reasons": json.dumps(reasons)})
        else:
            success = {"date_of_birth": app.date_of_birth, "membership_id": app.membership_id}
            rows.successful.append(base | cleaned | success)


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


def _write_csv(frame: pl.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.write_csv(tmp)
    tmp.replace(path)


def _read_manifest(out: Path) -> dict[str, Any]:
    path = out / "manifest.json"
    if not path.exists():
        return {"files": {}, "batches": []}
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except ValueError as exc:
        raise InputError(f"{path}: unreadable manifest ({exc})") from None
    return manifest


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    tmp = out / f".manifest.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1))
    tmp.replace(out / "manifest.json")


def _remove_orphans(out: Path, manifest: dict[str, Any]) -> None:
    """Remove batch files and temp files that no committed batch owns (a run died mid-way)."""
    known = set(manifest["batches"])
    for name in ("successful", "unsuccessful"):
        for path in (out / name).iterdir():
            batch = path.stem.removeprefix("applications_")
            if path.name.startswith(".") or batch not in known:
                path.unlink()


def _batch_id(now: datetime, manifest: dict[str, Any]) -> str:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    batch, n = stamp, 1
    while batch in manifest["batches"]:
        n += 1
        batch = f"{stamp}-{n}"
    return batch


def _archive(paths: list[Path], folder: Path) -> None:
    if not paths:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        target = folder / path.name
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{path.stem}.{n}{path.suffix}"
        shutil.move(path, target)
