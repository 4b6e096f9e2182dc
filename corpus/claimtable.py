"""Claims JSONL -> Parquet, in batches so memory stays flat (pyarrow is imported only here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpus.files import atomic_write

_BATCH = 5_000


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _column_types(path: Path) -> dict[str, set[str]]:
    """Every column with the JSON types its non-null values take, in first-seen order."""
    kinds: dict[str, set[str]] = {}
    for row in _rows(path):
        for key, value in row.items():
            seen = kinds.setdefault(key, set())
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                seen.add("list_str")
            elif value is not None:
                seen.add("bool" if isinstance(value, bool) else type(value).__name__)
    return kinds


def write_parquet(jsonl_path: str | Path) -> str:
    """Write ``X.parquet`` beside ``X.jsonl``; a column of lists of texts is a list column (a lone text
    in some of its rows a list of one), other metadata columns of mixed types become JSON text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    jsonl_path = Path(jsonl_path)
    out = jsonl_path.with_suffix(".parquet")
    simple = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
              "list_str": pa.list_(pa.string())}
    fields, as_json, as_list = [], set(), set()
    for key, seen in _column_types(jsonl_path).items():
        if seen == {"int", "float"}:
            seen = {"float"}
        if seen == {"str", "list_str"}:   # "tags": ["war", "energy"] in some rows, "war" in others
            seen = {"list_str"}
            as_list.add(key)
        if len(seen) <= 1 and (not seen or next(iter(seen)) in simple):
            fields.append(pa.field(key, simple[next(iter(seen))] if seen else pa.string()))
        else:
            fields.append(pa.field(key, pa.string()))
            as_json.add(key)
    schema = pa.schema(fields)

    def fix(row: dict[str, Any]) -> dict[str, Any]:
        for key in as_list:
            if isinstance(row.get(key), str):
                row[key] = [row[key]]
        for key in as_json:
            value = row.get(key)
            if value is not None and not isinstance(value, str):
                row[key] = json.dumps(value, ensure_ascii=False)
        return row

    with atomic_write(out, "wb") as handle:
        writer = pq.ParquetWriter(handle, schema)
        batch: list[dict[str, Any]] = []
        for row in _rows(jsonl_path):
            batch.append(fix(row))
            if len(batch) >= _BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        writer.close()
    return str(out)
