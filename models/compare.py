"""Claim comparison: pairs of claims from different documents that make the same point, and topics.

``compare(rows, embed, settings)`` takes pre-labelled claim rows (``stance prelabel`` output) and
returns pair rows (both claims, their documents, voices, stances, similarity, a suggested relation
for annotators) and cluster rows (topics: connected claims with a short label from top terms).
``run_compare`` is the file edge behind `stance compare`: JSONL and Parquet of both plus report.html,
written into the output directory atomically.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corpus.errors import UserError, named_few
from corpus.settings import read_yaml, validation_error
from corpus.records import is_claim_flag
from models.matcher import MatchSettings
from models.neighbours import search

Embed = Callable[[list[str]], np.ndarray]
RELATIONS = ("agree", "contradict", "same_point_different_framing", "unrelated")
OUTPUT_FILES = ("pairs.jsonl", "report.html")   # an earlier comparison, which a new one may replace
OUTPUT_WRITTEN = ("pairs.parquet", "clusters.jsonl", "clusters.parquet")   # and what else it holds
DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "compare.yaml"

# Words that flip a statement: a near-identical pair where only one side holds one reads as a contradiction.
_NEGATIONS = frozenset("not no never none nothing nobody neither nor cannot can't won't isn't aren't "
                       "wasn't weren't doesn't don't didn't deny denies denied false untrue".split())
_WORD = re.compile(r"[\w’']+", re.U)


class CompareSettings(BaseModel):
    """Thresholds of `stance compare` (configs/compare.yaml, or `compare:` in a pipeline YAML)."""

    model_config = ConfigDict(extra="forbid")

    min_similarity: float = Field(0.55, ge=-1, le=1)    # cosine of a pair, at least
    top_k: int = Field(5, ge=1)                         # neighbours per claim in other documents
    cluster_similarity: float | None = Field(None, ge=-1, le=1)  # pairs that join topics (default: min_similarity)
    max_cluster_size: int = Field(12, ge=2)             # bigger components are split by average linkage
    only_claims: bool = True                            # skip rows with is_claim false
    unrelated_below: float = Field(0.5, ge=-1, le=1)    # suggested "unrelated" under this similarity
    contradict_above: float = Field(0.8, ge=-1, le=1)   # near-identical pair, one side negated: "contradict"
    label_terms: int = Field(3, ge=1, le=10)            # words in a topic label
    scheme: str | None = "kremlin_framing"             # whose cue words the report highlights
    match: MatchSettings = Field(default_factory=MatchSettings)  # `stance match` ranking

    @model_validator(mode="after")
    def _cluster_default(self) -> "CompareSettings":
        if self.cluster_similarity is None:
            self.cluster_similarity = self.min_similarity
        return self


def load_compare_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None
                          ) -> CompareSettings:
    """Settings from a YAML that is either just the compare settings or a pipeline with ``compare:``,
    with ``overrides`` (command-line options) on top.

    No path: configs/compare.yaml when present, else the defaults of ``CompareSettings``.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    if path is None:
        if not DEFAULT_CONFIG.exists():
            return compare_settings(overrides, "command line")
        path = DEFAULT_CONFIG
    path = Path(path)
    data = read_yaml(path, hint="pass --config with an existing YAML") or {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of settings at the top level")
    if "compare" in data:
        data = data["compare"] or {}
        if not isinstance(data, dict):
            raise UserError(f"{path}: `compare:` must hold a mapping of settings")
    return compare_settings({**data, **overrides}, path)


def compare_settings(data: dict[str, Any], path: str | Path) -> CompareSettings:
    """Validated settings from the mapping read from ``path`` (named in errors), its scheme included."""
    try:
        settings = CompareSettings(**data)
    except ValidationError as err:
        raise validation_error(path, err, prefix="compare.") from None
    if settings.scheme is not None:
        from models.schemes import load_scheme

        try:
            load_scheme(settings.scheme)
        except UserError as err:
            raise UserError(f"{path}: compare.scheme: {err}") from None
    return settings



# --- pairs ------------------------------------------------------------------------------------

METADATA_REASONS = ("front_matter", "byline")


def claim_rows(rows: Sequence[dict[str, Any]], settings: CompareSettings,
               where: str = "input") -> list[dict[str, Any]]:
    """The rows that take part: claims only (unless ``only_claims`` is off), each with id, doc and text."""
    out = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        for key in ("claim_id", "doc_id", "text"):
            if row.get(key) in (None, ""):
                raise UserError(f"{where}: row {n} has no {key}; compare needs claim rows from "
                                "`stance claims` (then `stance prelabel` for stances)")
        if not isinstance(row["text"], str):
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): text {row['text']!r} is not a "
                            "string; give claim rows from `stance claims`")
        try:
            is_claim_flag(row)
        except ValueError as err:
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): {err}; give claim rows from "
                            "`stance claims`") from None
        score = row.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): score {score!r} is not a number; "
                            "give the rows `stance prelabel` wrote")
        if settings.only_claims and row.get("is_claim") is False:
            continue
        if row.get("reason") in METADATA_REASONS:  # "---", "title: ...", "By NAME": never a point made
            continue
        if str(row["claim_id"]) in seen:
            continue
        seen.add(str(row["claim_id"]))
        out.append(row)
    return out


def source_of(row: dict[str, Any]) -> str:
    """The name a reader knows a document by: outlet, else title, else its id."""
    for key in ("outlet", "title", "doc_id"):
        value = row.get(key)
        if value not in (None, ""):
            return str(value)
    return "unknown"


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def suggest_relation(similarity: float, stance_a: Any, stance_b: Any, text_a: str, text_b: str,
                     settings: CompareSettings) -> str | None:
    """A pre-label for annotators from similarity and stances (they correct it in Label Studio);
    None when a claim has no stance and the similarity alone cannot tell."""
    if similarity < settings.unrelated_below:
        return "unrelated"
    if similarity >= settings.contradict_above:
        neg_a, neg_b = _words(text_a) & _NEGATIONS, _words(text_b) & _NEGATIONS
        if bool(neg_a) != bool(neg_b):
            return "contradict"
    if stance_a is None or stance_b is None:
        return None
    if stance_a != stance_b:
        return "same_point_different_framing"
    return "agree"


def pair_id(claim_a: str, claim_b: str) -> str:
    """A stable id of an unordered pair of claims."""
    a, b = sorted((claim_a, claim_b))
    return hashlib.sha1(f"{a}\x00{b}".encode()).hexdigest()[:16]


def make_pair(a: dict[str, Any], b: dict[str, Any], similarity: float,
              settings: CompareSettings) -> dict[str, Any]:
    """The pair row: what an annotator needs to judge it, flat ``_a``/``_b`` fields."""
    pair: dict[str, Any] = {"pair_id": pair_id(str(a["claim_id"]), str(b["claim_id"])),
                            "claim_a": str(a["claim_id"]), "claim_b": str(b["claim_id"]),
                            "doc_a": str(a["doc_id"]), "doc_b": str(b["doc_id"])}
    for side, row in (("a", a), ("b", b)):
        pair[f"text_{side}"] = row["text"]
        pair[f"context_{side}"] = row.get("context") or row["text"]
        for key in ("start", "context_start", "title", "outlet", "source_type", "speaker", "speaker_name"):
            pair[f"{key}_{side}"] = row.get(key)
        pair[f"source_{side}"] = source_of(row)
        pair[f"stance_{side}"] = row.get("prediction")
        pair[f"stance_score_{side}"] = row.get("score")
        # Who gave the stance: "annotators" (compare --labels) or "model" (a pre-label); None: none.
        pair[f"stance_by_{side}"] = row.get("stance_by") or ("model" if row.get("prediction") is not None else None)
    pair["similarity"] = round(float(similarity), 4)
    pair["contrasting"] = (pair["stance_a"] is not None and pair["stance_b"] is not None
                           and pair["stance_a"] != pair["stance_b"])
    pair["suggested"] = suggest_relation(similarity, pair["stance_a"], pair["stance_b"],
                                         a["text"], b["text"], settings)
    pair["cluster"] = None
    return pair


def find_pairs(rows: Sequence[dict[str, Any]], vectors: np.ndarray,
               settings: CompareSettings) -> list[dict[str, Any]]:
    """Cross-document pairs: each claim's ``top_k`` nearest claims of other documents above the threshold."""
    docs = {d: i for i, d in enumerate(dict.fromkeys(str(r["doc_id"]) for r in rows))}
    groups = np.array([docs[str(r["doc_id"])] for r in rows], dtype=np.int64)
    idx, val = search(vectors, vectors, settings.top_k, query_groups=groups, corpus_groups=groups,
                      exact_max=settings.match.exact_max, memory_mb=settings.match.memory_mb)
    best: dict[tuple[int, int], float] = {}
    for i in range(len(rows)):
        for j, sim in zip(idx[i], val[i]):
            if j < 0 or sim < settings.min_similarity:
                continue
            key = (min(i, int(j)), max(i, int(j)))
            best[key] = max(best.get(key, -1.0), float(sim))
    pairs = [make_pair(rows[i], rows[j], sim, settings) for (i, j), sim in best.items()]
    pairs.sort(key=lambda p: (-p["similarity"], p["pair_id"]))
    return pairs


# --- topics -----------------------------------------------------------------------------------

def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for node in range(n):
        members[root(node)].append(node)
    return [m for m in members.values() if len(m) > 1]


def _split(members: list[int], vectors: np.ndarray, settings: CompareSettings) -> list[list[int]]:
    """Split a chained component by average linkage at the cluster threshold."""
    from sklearn.cluster import AgglomerativeClustering

    sub = vectors[members]
    dist = np.clip(1.0 - sub @ sub.T, 0.0, 2.0)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=1.0 - float(settings.cluster_similarity or 0)
                                     ).fit_predict(dist)
    groups: dict[int, list[int]] = defaultdict(list)
    for node, label in zip(members, labels):
        groups[int(label)].append(node)
    return list(groups.values())


def topic_labels(rows: Sequence[dict[str, Any]], clusters: list[list[int]], n_terms: int) -> list[str]:
    """A few top TF-IDF terms of each cluster, against all claims of the run."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not clusters:
        return []
    vec = TfidfVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_][\w’'-]+\b",
                          sublinear_tf=True)
    try:
        matrix = vec.fit_transform([str(r["text"]) for r in rows])
    except ValueError:  # only stop words
        return ["(no terms)"] * len(clusters)
    terms = vec.get_feature_names_out()
    labels = []
    for members in clusters:
        weights = np.asarray(matrix[members].sum(axis=0)).ravel()
        top = [terms[i] for i in np.argsort(-weights)[:n_terms] if weights[i] > 0]
        labels.append(", ".join(top) or "(no terms)")
    return labels


def cluster_pairs(rows: Sequence[dict[str, Any]], vectors: np.ndarray, pairs: list[dict[str, Any]],
                  settings: CompareSettings) -> list[dict[str, Any]]:
    """Topics: connected components of the pair graph (big ones split); sets each pair's ``cluster``."""
    pos = {str(r["claim_id"]): i for i, r in enumerate(rows)}
    threshold = float(settings.cluster_similarity if settings.cluster_similarity is not None
                      else settings.min_similarity)
    edges = [(pos[p["claim_a"]], pos[p["claim_b"]]) for p in pairs if p["similarity"] >= threshold]
    groups: list[list[int]] = []
    for members in _components(len(rows), edges):
        groups.extend(_split(members, vectors, settings) if len(members) > settings.max_cluster_size
                      else [members])
    groups = [sorted(g) for g in groups if len({str(rows[i]["doc_id"]) for i in g}) > 1]
    groups.sort(key=lambda g: (-len(g), g[0]))
    labels = topic_labels(rows, groups, settings.label_terms)
    where = {node: c for c, g in enumerate(groups) for node in g}
    by_cluster: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in pairs:
        ca, cb = where.get(pos[p["claim_a"]]), where.get(pos[p["claim_b"]])
        p["cluster"] = ca if ca is not None and ca == cb else None
        if p["cluster"] is not None:
            by_cluster[p["cluster"]].append(p)
    clusters = []
    for c, members in enumerate(groups):
        stances = Counter(str(rows[i].get("prediction")) for i in members
                          if rows[i].get("prediction") is not None)
        sims = [p["similarity"] for p in by_cluster[c]]
        clusters.append({
            "cluster": c, "label": labels[c], "size": len(members),
            "claims": [str(rows[i]["claim_id"]) for i in members],
            "docs": sorted({str(rows[i]["doc_id"]) for i in members}),
            "sources": sorted({source_of(rows[i]) for i in members}),
            "stances": dict(sorted(stances.items())),
            "contrasting": len(stances) > 1,
            "pairs": len(by_cluster[c]),
            "contrasting_pairs": sum(p["contrasting"] for p in by_cluster[c]),
            "mean_similarity": round(float(np.mean(sims)), 4) if sims else None,
        })
    return clusters


def compare(rows: Sequence[dict[str, Any]], embed: Embed, settings: CompareSettings | None = None,
            where: str = "input") -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(claims used, pairs, clusters) of pre-labelled claim rows."""
    settings = settings or CompareSettings()
    claims = claim_rows(rows, settings, where)
    if len({str(r["doc_id"]) for r in claims}) < 2:
        raise UserError(f"{where}: claims of at least two documents are needed to compare; "
                        f"found {len({str(r['doc_id']) for r in claims})}")
    vectors = np.asarray(embed([str(r["text"]) for r in claims]), dtype=np.float32)
    pairs = find_pairs(claims, vectors, settings)
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
    if column == "contrasting":
        return pa.bool_()
    if column in _LISTS:
        return pa.list_(pa.string())
    if column == "stances":
        return pa.map_(pa.string(), pa.int64())
    return pa.string()


def _write_parquet(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """``rows`` as a Parquet table with typed columns (``stances``: label -> count, as in the JSONL)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {c: _arrow_type(c) for c in columns}   # once a column, not once a cell

    def value(column: str, v: Any) -> Any:
        if v is None:
            return None
        if column == "stances":
            return [(str(k), int(n)) for k, n in v.items()]
        if column in _LISTS:
            return [str(x) for x in v]
        if types[column] == pa.string():
            return str(v)
        return v

    schema = pa.schema(list(types.items()))
    data = {c: [value(c, r.get(c)) for r in rows] for c in columns}
    pq.write_table(pa.table(data, schema=schema), path)


PAIR_COLUMNS = ["pair_id", "claim_a", "claim_b", "doc_a", "doc_b", "text_a", "text_b", "context_a",
                "context_b", "start_a", "start_b", "context_start_a", "context_start_b", "title_a",
                "title_b", "outlet_a", "outlet_b", "source_type_a", "source_type_b", "speaker_a",
                "speaker_b", "speaker_name_a", "speaker_name_b", "source_a", "source_b", "stance_a",
                "stance_b", "stance_score_a", "stance_score_b", "stance_by_a", "stance_by_b", "similarity", "contrasting",
                "suggested", "cluster"]
CLUSTER_COLUMNS = ["cluster", "label", "size", "claims", "docs", "sources", "stances", "contrasting",
                   "pairs", "contrasting_pairs", "mean_similarity"]


def scheme_of(stances: set[str], preferred: str | None) -> str | None:
    """The label scheme the stances belong to: ``preferred`` when its labels hold them all, else the
    first bundled scheme that does, else None (no cue highlighting, stances coloured in order)."""
    from models.schemes import SCHEME_DIR, load_scheme

    names = ([preferred] if preferred else []) + [p.stem for p in sorted(SCHEME_DIR.glob("*.yaml"))]
    for name in dict.fromkeys(names):
        try:
            scheme = load_scheme(name)
        except UserError:
            continue
        if stances <= set(scheme.label_ids):
            return name
    return None


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
    (``min_similarity``, ``top_k``, ``only_claims``, ...; None values are left out). ``labels``
    (labels.jsonl, labels.parquet or the dataset of `stance pull`) puts the annotators' labels in
    place of the pre-labels of the claims they labelled.
    """
    from corpus.files import atomic_dir, check_output_dir, read_jsonl, write_jsonl
    from models.report import render_report

    check_output_dir(out, OUTPUT_FILES, OUTPUT_WRITTEN)
    settings = settings or load_compare_settings(config, overrides)
    rows = list(read_jsonl(inp))
    # The scheme of the pre-labels (its cues and colours in the report): the configured one when it
    # holds them, else a bundled one that does.
    predicted = {str(r["prediction"]) for r in rows if r.get("prediction") is not None}
    if predicted:
        scheme = scheme_of(predicted, settings.scheme)
        if scheme != settings.scheme:
            settings = settings.model_copy(update={"scheme": scheme})
    labelled = 0
    if labels is not None:
        from models.data import load_labelled
        from models.schemes import load_scheme

        given = load_labelled(labels)
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
    claims, pairs, clusters = compare(rows, embed, settings, where=str(inp))
    sources = sorted({source_of(r) for r in claims})
    named = named_few(sources)
    html = render_report(claims, pairs, clusters, settings, title=f"Claim comparison: {named}")
    with atomic_dir(out, OUTPUT_FILES, OUTPUT_WRITTEN) as tmp:
        write_jsonl(tmp / "pairs.jsonl", ({k: p.get(k) for k in PAIR_COLUMNS} for p in pairs))
        write_jsonl(tmp / "clusters.jsonl", clusters)
        _write_parquet(tmp / "pairs.parquet", pairs, PAIR_COLUMNS)
        _write_parquet(tmp / "clusters.parquet", clusters, CLUSTER_COLUMNS)
        (tmp / "report.html").write_text(html, encoding="utf-8")
    return {"claims": len(claims), "documents": len({str(r["doc_id"]) for r in claims}),
            "prelabelled": sum(r.get("stance_by") == "model" and r.get("prediction") is not None for r in claims),
            "labelled_compared": sum(r.get("stance_by") == "annotators" for r in claims),
            "pairs": len(pairs), "contrasting": sum(p["contrasting"] for p in pairs),
            "clusters": len(clusters), "out": str(out), "labelled": labelled}


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "claimstance" / "embeddings"


def embedder(cache: str | Path | None = None, progress: bool = False) -> Embed:
    """A text -> unit vector function over the packaged MiniLM, cached on disk by content hash."""
    from models.embedding_cache import EmbeddingCache

    store = EmbeddingCache(Path(cache) if cache else default_cache_dir())
    return lambda texts: store.embed(list(texts), progress=progress)
