"""Writing results: a readable table on a terminal, machine formats into pipes and files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Iterable, Iterator
from typing import Any, TextIO


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(type(value))


def as_json(rows: list[dict[str, Any]], out: TextIO) -> None:
    json.dump(rows, out, ensure_ascii=False, indent=1, default=_default)
    out.write("\n")


def as_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        count += 1
    return count


def as_csv(rows: Iterable[dict[str, Any]], out: TextIO, columns: list[str] | None = None) -> int:
    iterator: Iterator[dict[str, Any]] = iter(rows)
    first = next(iterator, None)
    if first is None and not columns:
        return 0
    writer = csv.DictWriter(out, fieldnames=columns or list(first), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in ([first] if first is not None else []):
        writer.writerow({k: _plain(v) for k, v in row.items()})
        count += 1
    for row in iterator:
        writer.writerow({k: _plain(v) for k, v in row.items()})
        count += 1
    return count


def as_parquet(rows: Iterable[dict[str, Any]], path: str, columns: list[str], batch: int = 1000) -> int:
    """Written a batch at a time (row groups), so memory stays flat for any size."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, pa.int64() if name == "id" else pa.date32() if name == "published_on"
                         else pa.timestamp("us", tz="UTC") if name.endswith("_at") else pa.string())
                        for name in columns])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                writer.write_batch(pa.RecordBatch.from_pylist(_utc(chunk), schema=schema))
                count += len(chunk)
                chunk = []
        if chunk:
            writer.write_batch(pa.RecordBatch.from_pylist(_utc(chunk), schema=schema))
            count += len(chunk)
    return count


def _utc(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        for key, value in row.items():
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                row[key] = value.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC
    return rows


def as_table(rows: list[dict[str, Any]], out: TextIO, columns: list[str] | None = None) -> None:
    """Columns sized to the terminal; long text cut with an ellipsis."""
    if not rows:
        out.write("(nothing found)\n")
        return
    columns = columns or list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    width = shutil.get_terminal_size((120, 20)).columns
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    while sum(widths) + 2 * len(widths) > width and max(widths) > 12:  # shrink the widest column
        widest = widths.index(max(widths))
        widths[widest] -= 1
    line = "  ".join(c.upper().ljust(w)[:w] for c, w in zip(columns, widths, strict=True))
    out.write(line.rstrip() + "\n")
    for row in cells:
        out.write("  ".join(_fit(v, w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return " ".join(str(_plain(value)).split())


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
