"""Claim comparison: pairs of claims from different sources that make the same point, and topics.

``compare(rows, embed, settings)`` takes pre-labelled claim rows (``stance prelabel`` output) and
returns pair rows (both claims, their documents, voices, stances, similarity, a suggested relation
for annotators) and cluster rows (topics: connected claims with a short label from top terms).
``run_compare`` is the file edge behind `stance compare`: JSONL and Parquet of both plus report.html,
written into the output directory atomically.

The pairs are found in models.pairs, the topics in models.topics, the settings are models.compare_settings;
this module runs them and writes the output tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError, named_few
from corpus.records import source_name
from models.cache import embeddings_dir
from models.compare_settings import CompareSettings, load_compare_settings
from models.pairs import PairTable, claim_rows, document_groups, pair_table
from models.topics import cluster_pairs

Embed = Callable[[list[str]], np.ndarray]
OUTPUT_FILES = ("pairs.jsonl", "report.html")   # an earlier comparison, which a new one may replace
OUTPUT_WRITTEN = ("pairs.parquet", "clusters.jsonl", "clusters.parquet")   # and what else it holds


def one_source(claims: Sequence[dict[str, Any]], settings: CompareSettings) -> str | None:
    """The note when every claim is of one source and ``within_source`` is off: its documents are
    paired with each other (one channel's posts, one outlet's rows), else there would be no pair."""
    if settings.within_source or len(set(document_groups(claims))) != 1 or \
            len({str(r["doc_id"]) for r in claims}) < 2:
        return None
    return (f"every document is of one source, {source_name(claims[0])!r}, so its documents are paired with each "
            "other (as within_source: true); give documents of other sources too to pair claims across sources")


def too_few(rows: Sequence[dict[str, Any]], claims: Sequence[dict[str, Any]], settings: CompareSettings,
            where: str) -> UserError:
    """The error when the claims that take part are of fewer than two documents: no rows at all, none
    in the scope, or one document's (and how many others have none in the scope)."""
    from corpus.claimfilter import SCOPE_WORDS, in_scope

    if not rows:
        return UserError(f"{where}: no rows; give the claims `stance claims` wrote (`stance prelabel` adds stances)")
    scope = settings.scope
    taken = {str(r["doc_id"]) for r in claims}
    # Documents that would take part with every sentence (front matter and bylines never do).
    wider = scope != "all" and any(str(r["doc_id"]) not in taken and in_scope(r, "all") for r in rows)
    fix = "--scope all (scope: all) compares every sentence" if wider else "give the claims of other documents too"
    if not claims:
        rows_are = "its one row is not" if len(rows) == 1 else f"none of its {len(rows)} rows is"
        return UserError(f"{where}: {rows_are} one of the {SCOPE_WORDS[scope]} compare takes (scope {scope}; front "
                         f"matter, bylines, datelines and speaker markers never are); {fix}")
    others = len({str(r["doc_id"]) for r in rows} - taken)
    return UserError(f"{where}: claims of at least two documents are needed to compare; found 1 (doc_id "
                     f"{next(iter(taken))})" + (f", and {others} other{'s' if others != 1 else ''} with none in scope "
                                                f"{scope}" if others else "") + f"; {fix}")


def compare(rows: Sequence[dict[str, Any]], embed: Embed, settings: CompareSettings | None = None,
            where: str = "input", notes: list[str] | None = None
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(claims used, pairs, clusters) of pre-labelled claim rows. Claims of one source only are
    paired within it, with a note appended to ``notes``."""
    claims, pairs, clusters = compare_table(rows, embed, settings, where, notes)
    return claims, list(pairs), clusters


def compare_table(rows: Sequence[dict[str, Any]], embed: Embed, settings: CompareSettings | None = None,
                  where: str = "input", notes: list[str] | None = None
                  ) -> tuple[list[dict[str, Any]], PairTable, list[dict[str, Any]]]:
    """``compare`` with the pairs as a PairTable (columns; a pair's row built when read)."""
    settings = settings or CompareSettings()
    claims = claim_rows(rows, settings, where)
    if len({str(r["doc_id"]) for r in claims}) < 2:
        raise too_few(rows, claims, settings, where)
    note = one_source(claims, settings)
    if note is not None:
        settings = settings.model_copy(update={"within_source": True})
        if notes is not None:
            notes.append(note)
    vectors = np.asarray(embed([str(r["text"]) for r in claims]), dtype=np.float32)
    pairs = pair_table(claims, vectors, settings)
    clusters = cluster_pairs(claims, vectors, pairs, settings)
    return claims, pairs, clusters


# --- the file edge ----------------------------------------------------------------------------

# Parquet types of the columns (anything else: string). Explicit, so that a column that is empty in
# one comparison (no outlet, no topic) keeps its type instead of becoming null or float.
_INT = ("start_a", "start_b", "context_start_a", "context_start_b", "cluster", "size", "pairs", "contrasting_pairs")
_FLOAT = ("stance_score_a", "stance_score_b", "similarity", "mean_similarity")
_LISTS = ("claims", "docs", "sources")


def _arrow_type(column: str) -> Any:
    import pyarrow as pa

    if column in _INT:
        return pa.int64()
    if column in _FLOAT:
        return pa.float64()
    if column in ("contrasting", "mutual"):
        return pa.bool_()
    if column in _LISTS:
        return pa.list_(pa.string())
    if column == "stances":
        return pa.map_(pa.string(), pa.int64())
    return pa.string()


def _write_parquet(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """``rows`` as a Parquet table with typed columns (``stances``: label -> count, as in the JSONL)."""
    import pyarrow.parquet as pq

    pq.write_table(_arrow_table(rows, columns), path)


# Pair rows built, written and let go at a time: the rows of every pair are never held at once.
PAIR_BATCH = 16384


def _write_pairs(jsonl: Path, parquet: Path, pairs: Sequence[dict[str, Any]]) -> None:
    """pairs.jsonl and pairs.parquet, ``PAIR_BATCH`` pair rows at a time (a row group each): the same
    bytes as write_jsonl and _write_parquet give while there is one batch."""
    import json

    import pyarrow.parquet as pq

    from corpus.files import atomic_write

    encode = json.JSONEncoder(ensure_ascii=False).encode   # json.dumps(row, ensure_ascii=False), made once
    writer = None
    try:
        with atomic_write(jsonl) as handle:
            for start in range(0, max(1, len(pairs)), PAIR_BATCH):   # no pairs: one empty table
                batch = [{k: p.get(k) for k in PAIR_COLUMNS} for p in pairs[start:start + PAIR_BATCH]]
                handle.writelines(encode(row) + "\n" for row in batch)
                table = _arrow_table(batch, PAIR_COLUMNS)
                if writer is None:
                    writer = pq.ParquetWriter(parquet, table.schema)
                writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def _arrow_table(rows: Sequence[dict[str, Any]], columns: list[str]) -> Any:
    import pyarrow as pa

    types = {c: _arrow_type(c) for c in columns}   # once a column, not once a cell

    def values(column: str) -> list[Any]:   # a column's cells, None kept
        cells = [r.get(column) for r in rows]
        if column == "stances":
            return [None if v is None else [(str(k), int(n)) for k, n in v.items()] for v in cells]
        if column in _LISTS:
            return [None if v is None else [str(x) for x in v] for v in cells]
        if types[column] == pa.string():
            return [None if v is None else str(v) for v in cells]
        return cells

    schema = pa.schema(list(types.items()))
    data = {c: values(c) for c in columns}
    return pa.table(data, schema=schema)


PAIR_COLUMNS = ["pair_id", "claim_a", "claim_b", "doc_a", "doc_b", "text_a", "text_b", "context_a",
                "context_b", "start_a", "start_b", "context_start_a", "context_start_b", "title_a",
                "title_b", "outlet_a", "outlet_b", "source_type_a", "source_type_b", "speaker_a",
                "speaker_b", "speaker_name_a", "speaker_name_b", "source_a", "source_b", "stance_a",
                "stance_b", "stance_score_a", "stance_score_b", "stance_by_a", "stance_by_b", "similarity", "mutual",
                "contrasting", "suggested", "cluster"]
CLUSTER_COLUMNS = ["cluster", "label", "size", "claims", "docs", "sources", "stances", "contrasting",
                   "pairs", "contrasting_pairs", "mean_similarity"]


def scheme_of(stances: set[str], preferred: str | None) -> str | None:
    """The label scheme the stances belong to: ``preferred`` (the one the pre-labels record, or the
    configured one) when its labels hold them all, else None (no cue highlighting, stances coloured
    in order). Never another scheme that merely shares the label ids: its cues would mislead."""
    from models.schemes import load_scheme

    if not preferred:
        return None
    try:
        scheme = load_scheme(preferred)
    except UserError:
        return None
    return preferred if stances <= set(scheme.label_ids) else None


def _check_predictions(rows: Sequence[dict[str, Any]], scheme: str, where: str) -> None:
    """A prediction that is not a label of ``scheme`` (the pre-labels' own) is an error naming it."""
    from models.schemes import load_scheme

    loaded = load_scheme(scheme)
    ids = list(loaded.label_ids)
    for n, row in enumerate(rows, start=1):
        value = row.get("prediction")
        if value is not None and str(value) not in ids:
            raise UserError(f"{where}: row {n} (claim_id {row.get('claim_id')}): prediction {str(value)!r} is not a label "
                            f"of scheme {loaded.name!r} ({', '.join(ids)}); pre-label the claims again with `stance "
                            "prelabel`, or fix that row")


def with_labels(rows: Sequence[dict[str, Any]], labelled: Sequence[dict[str, Any]]
                ) -> tuple[list[dict[str, Any]], int]:
    """``rows`` with the annotators' label as the stance of every claim that has one (``stance_by``:
    ``annotators``, no model score), the pre-label elsewhere (``stance_by``: ``model``); and how many
    claims took a label."""
    by_id = {str(r["claim_id"]): str(r["label"]) for r in labelled if r.get("claim_id") and r.get("label")}
    out, n = [], 0
    for row in rows:
        label = by_id.get(str(row.get("claim_id")))
        if label is None:
            out.append({**row, "stance_by": "model"})
        else:
            out.append({**row, "prediction": label, "score": None, "stance_by": "annotators"})
            n += 1
    return out, n


def run_compare(inp: str | Path, out: str | Path, config: str | Path | None = None,
                cache: str | Path | None = None, progress: bool = True,
                settings: CompareSettings | None = None, overrides: dict[str, Any] | None = None,
                labels: str | Path | None = None) -> dict[str, Any]:
    """`stance compare`: read pre-labelled claims, write pairs, clusters (JSONL, Parquet), report.html.

    ``settings`` (already validated) wins over ``config`` (a YAML path) and its ``overrides``
    (``min_similarity``, ``top_k``, ``scope``, ...; None values are left out). ``labels``
    (labels.jsonl, labels.parquet or the dataset of `stance pull`) puts the annotators' labels in
    place of the pre-labels of the claims they labelled.
    """
    from corpus.files import atomic_dir, check_output_dir, check_writable, read_jsonl, write_jsonl
    from models.report import render_report

    check_output_dir(out, OUTPUT_FILES, OUTPUT_WRITTEN)
    check_writable(out)   # a read-only folder: refused now, not after the embeddings and clustering
    settings = settings or load_compare_settings(config, overrides)
    rows = list(read_jsonl(inp))
    # The scheme of the pre-labels (its cues and colours in the report): the one given (`stance
    # compare` passes the one the pre-labels record) or configured, when it holds them; else none.
    predicted = {str(r["prediction"]) for r in rows if r.get("prediction") is not None}
    if predicted and (overrides or {}).get("scheme"):   # recorded by the pre-labels, or --scheme
        _check_predictions(rows, overrides["scheme"], str(inp))   # type: ignore[index]
    if predicted:
        scheme = scheme_of(predicted, settings.scheme)
        if scheme != settings.scheme:
            settings = settings.model_copy(update={"scheme": scheme})
    labelled = 0
    if labels is not None:
        from models.data import load_labelled
        from models.schemes import load_scheme

        given = load_labelled(labels, flag="--labels ", unlabelled="--labels takes the labels `stance pull` wrote "
                              "(its --out folder, or labels.jsonl in it); claims to compare go in --in")
        if settings.scheme is not None:
            ids = list(load_scheme(settings.scheme).label_ids)
            wrong = sorted({str(r["label"]) for r in given} - set(ids))
            if wrong:
                raise UserError(f"{labels}: label(s) {', '.join(map(repr, wrong))} not in scheme {settings.scheme!r} "
                                f"({', '.join(ids)}) of the pre-labels in {inp}; give the labels pulled from the "
                                "project these claims were pushed to")
        rows, labelled = with_labels(rows, given)
        if not labelled:
            raise UserError(f"{labels}: none of its labelled claims is in {inp} (matched by claim_id); give the "
                            "labels pulled from the project these claims were pushed to")
    embed = embedder(cache, progress)
    notes: list[str] = []
    claims, pairs, clusters = compare_table(rows, embed, settings, where=str(inp), notes=notes)
    sources = sorted({source_name(r) for r in claims})
    named = named_few(sources)
    html = render_report(claims, pairs, clusters, settings, title=f"Claim comparison: {named}")
    with atomic_dir(out, OUTPUT_FILES, OUTPUT_WRITTEN) as tmp:
        _write_pairs(tmp / "pairs.jsonl", tmp / "pairs.parquet", pairs)
        write_jsonl(tmp / "clusters.jsonl", clusters)
        _write_parquet(tmp / "clusters.parquet", clusters, CLUSTER_COLUMNS)
        (tmp / "report.html").write_text(html, encoding="utf-8")
    return {"claims": len(claims), "documents": len({str(r["doc_id"]) for r in claims}),
            "prelabelled": sum(r.get("stance_by") == "model" and r.get("prediction") is not None for r in claims),
            "labelled_compared": sum(r.get("stance_by") == "annotators" for r in claims),
            "pairs": len(pairs), "contrasting": int(pairs.contrasting.sum()),
            "clusters": len(clusters), "out": str(out), "labelled": labelled, "scope": settings.scope,
            "notes": notes}


def embedder(cache: str | Path | None = None, progress: bool = False) -> Embed:
    """A text -> unit vector function over the packaged MiniLM, cached on disk by content hash."""
    from models.embedding_cache import EmbeddingCache

    store = EmbeddingCache(Path(cache) if cache else embeddings_dir())
    return lambda texts: store.embed(list(texts), progress=progress)
