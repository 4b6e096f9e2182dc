"""Label Studio tasks from claim rows and claim-pair rows: pure converters and the checks on each
row (ids, text, ``is_claim``, scores, pre-labels), plus the check of every pre-label against the
label config. No server here: ``annotate.push`` sends what these make.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

from annotate import labelconfig as lc
from annotate.context_markdown import markdown_html, plain_shown
from annotate.dataset import SPLIT_COLUMN, is_name_list
from annotate.pull_rows import ANNOTATION_FIELDS, LABEL_FIELDS
from corpus.errors import UserError
from models.provenance import ROW_FIELDS as PRELABEL_RECORD   # the scheme and model a pre-label records
from corpus.safetext import BIDI_CONTROLS, marked, marker
from corpus.claimfilter import STRUCTURE
from corpus.records import CLAIM_FIELDS, is_claim_flag, source_name

PAIR_MODEL_VERSION = "compare-rules"
REPOST_VOICES = ("interviewer", "interviewee", "quoted")
PROVENANCE_FIELDS = ("start", "end", "context_start", "author", "authors", "kind", "reposted_from", "url")
# Fields of a claim row that are neither the claim nor its document's metadata: the claims step's own
# bookkeeping (the document's path on this machine) and the pre-label, which goes as the prediction.
NOT_METADATA = ("paragraph", "sentence", "source_file", "prediction", "score", "probs", "model_version",
                "stance_by", "context")
MAX_META_CHARS = 300   # a longer free value (a summary, a page's HTML) stays out of the task
MAX_META_FIELDS = 30   # free metadata fields a task carries at most, in the row's order
# Columns a pull writes of its own (annotate.pull_rows, annotate.dataset): free metadata of the same
# name goes as meta_<name>, or it would be dropped from the labels or clash in labels.parquet.
# (Their claim_id, doc_id, text, prediction and model_version never reach free metadata: see free_metadata.)
PULLED_FIELDS = frozenset(ANNOTATION_FIELDS) | frozenset(LABEL_FIELDS) | {SPLIT_COLUMN}


# The fields a claim task shows in place of its own text and title (the label config's ``$text_shown``
# and ``$title_shown``): the same text with each bidi control as a visible marker (``shown_fields``).
SHOWN_FIELDS = ("text_shown", "title_shown")
BIDI_STYLE = "color: #b00000; font-size: 0.85em"


def shown_fields(data: dict[str, Any]) -> dict[str, str]:
    """``text_shown`` and ``title_shown`` of a claim task's data: its ``text`` and ``title`` with each
    bidirectional control (U+202E, a right-to-left override, would reverse what follows it, and hide
    that it does) written as a visible marker, ``⟨U+202E⟩``. ``text`` stays exact, as the offsets and
    the pull need it; a cue span marked on the shown text is mapped back (``pull_rows``). The claim's
    Markdown markers (``**Revenue:**``) are zero-width spaces in ``text_shown``, each in its marker's
    place (``context_markdown.plain_shown``): the line shows no raw Markdown and its offsets stay the claim's."""
    return {"text_shown": marked(plain_shown(str(data.get("text") or ""))),
            "title_shown": marked(str(data.get("title") or ""))}


def _marked_html(markup: str) -> str:
    return BIDI_CONTROLS.sub(lambda m: (f'<span data-bidi="{ord(m.group(0)):04X}" style="{BIDI_STYLE}" title="a '
                                        f'bidirectional control character in the text">{marker(m.group(0))}</span>'),
                             markup)


def shown_html(text: str) -> str:
    """``text`` escaped for a page, each bidi control as a red marker that names it
    (``<span data-bidi="202E" ...>⟨U+202E⟩</span>``); ``pull_rows.context_from_html`` gives the control back."""
    return _marked_html(html.escape(text))


# What a claim task shows: the fields a push of this version marks (the shown fields, and these two).
DISPLAYED = ("context_html", "source_line")


def displays_bidi(data: dict[str, Any]) -> bool:
    """Whether a claim task's view (its title, text, paragraph, source line) holds a bidi control."""
    return any(isinstance(data.get(key), str) and BIDI_CONTROLS.search(data[key])
               for key in ("text", "title", *DISPLAYED))


def with_shown_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A claim task's data as this version pushes it, from a task an earlier stance pushed: the shown
    fields added, and the bidi controls its paragraph and source line showed as they are now
    markers (the markup holds them only in its text); every other field as it was."""
    out = {**data, **shown_fields(data)}
    if isinstance(data.get("context_html"), str):
        out["context_html"] = _marked_html(data["context_html"])
    if isinstance(data.get("source_line"), str):
        out["source_line"] = marked(data["source_line"])
    return out


# A context of several lines (a one-sentence paragraph with its neighbours) keeps its line breaks on
# the page, where HTML would run the paragraphs together; its text stays the span's only content, so
# the pull reads it back whole (pull_rows.context_from_html).
LINES_STYLE = "white-space: pre-line"


def context_html(text: str, context: str | None = None, offset: int | None = None) -> str:
    """The claim's context (its paragraph, or a one-sentence paragraph with its neighbours: see
    `stance claims`) with the claim in ``<mark>``; every piece of text escaped (bidi controls shown as
    markers: ``shown_html``), its Markdown rendered for the page with every character kept
    (``context_markdown``), and a context of several lines in a span that keeps its line breaks.

    ``offset`` is where the claim starts in ``context``; when it does not point at the claim the
    first occurrence is marked, and when the claim is not in the context it is shown alone.
    """
    text = text or ""
    if not context:
        return f"<mark>{shown_html(text)}</mark>"
    if offset is None or offset < 0 or context[offset:offset + len(text)] != text:
        offset = context.find(text) if text else -1
    if offset < 0:
        return f"<mark>{shown_html(text)}</mark>"
    end = offset + len(text)
    # Markdown emphasis, quotes, list bullets, headings and table pipes rendered (context_markdown):
    # each piece on its own, so that no tag crosses the claim's <mark>; every character still in it.
    shown = (markdown_html(context[:offset], True, shown_html)
             + "<mark>" + markdown_html(text, offset == 0 or context[offset - 1] == "\n", shown_html) + "</mark>"
             + markdown_html(context[end:], context[end - 1:end] == "\n", shown_html))
    if "\n" in context or "\r" in context:
        return f'<span style="{LINES_STYLE}">{shown}</span>'
    return shown


def voice(speaker: str | None, speaker_name: str | None) -> str:
    """The claim's voice as a reader sees it: ``interviewee (Eugene Kaspersky)``."""
    role = speaker or "unknown voice"
    return f"{role} ({speaker_name})" if speaker_name else role


# The interviewer's question shown above an interviewee's answer (``interview_questions``): a short
# answer ("Sooner or later, yes.") takes its stance from the question it answers.
ASKING_VOICE = "interviewer"
ANSWERING_VOICE = "interviewee"
# Voices that may come between a question and the paragraph of its answer: the answer's own earlier
# paragraphs, and people the interviewee quotes in them. Any other voice (the author's or a blogger's
# own words) ends the interview's turn: the question is not shown past it.
ANSWER_VOICES = (ANSWERING_VOICE, "quoted")
MAX_QUESTION_CHARS = 400    # the question's last characters at most (where the question is): tasks stay small
MAX_QUESTION_GAP = 1500     # characters from the question's end to the answer's paragraph at most
QUESTION_STYLE = ("margin-bottom: 0.5em; padding: 0.1em 0 0.1em 0.6em; border-left: 3px solid #bbb; "
                  "color: #777; font-size: 0.9em")


def interview_questions(rows: list[Any]) -> dict[int, tuple[str, str]]:
    """The interviewer's turn before each interviewee claim, by the claim row's index in ``rows``:
    (the interviewer's voice, the turn's text). Rows are taken document by document in the order
    of their ``start``; a claim gets the nearest interviewer turn before it in its own document when
    only the interviewee's answer (and people it quotes) lies between, the turn ends before the
    claim's context (``context_start``: a question inside the context, the claim's paragraph or the
    answer's paragraphs around it, is shown there already), and within ``MAX_QUESTION_GAP``
    characters of it. Speaker markers (``Q:``) are left out of the
    text, and a long turn keeps its last ``MAX_QUESTION_CHARS`` characters. Rows without a
    ``doc_id`` or integer offsets are passed over (their own checks come with their tasks)."""
    by_doc: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if (isinstance(row, dict) and row.get("doc_id") not in (None, "") and isinstance(row.get("text"), str)
                and all(isinstance(row.get(k), int) and not isinstance(row.get(k), bool) for k in ("start", "end"))):
            by_doc.setdefault(str(row["doc_id"]), []).append(i)
    out: dict[int, tuple[str, str]] = {}
    for indices in by_doc.values():
        indices.sort(key=lambda i: (rows[i]["start"], i))
        turn: dict[str, Any] | None = None   # the latest interviewer turn: voice, texts, end
        asking = False                       # whether the rows so far still belong to that turn
        for i in indices:
            row = rows[i]
            speaker = row.get("speaker")
            if speaker == ASKING_VOICE or (speaker == "quoted" and asking):   # a quotation inside the question
                if turn is None or not asking:
                    turn, asking = {"texts": [], "end": row["end"]}, True
                if row.get("reason") not in STRUCTURE and row["text"].strip():
                    turn["texts"].append(" ".join(row["text"].split()))
                turn["end"] = max(turn["end"], row["end"])
                if speaker == ASKING_VOICE:
                    turn["voice"] = voice(speaker, row.get("speaker_name"))
                continue
            asking = False
            if speaker not in ANSWER_VOICES:
                turn = None   # the author's own words, a blogger's: the interview's turn is over
                continue
            if speaker != ANSWERING_VOICE or turn is None or not turn["texts"]:
                continue
            begin = row.get("context_start")
            if not isinstance(begin, int) or isinstance(begin, bool) or begin > row["start"] or not row.get("context"):
                begin = row["start"]   # no context: the claim is shown alone
            if turn["end"] <= begin <= turn["end"] + MAX_QUESTION_GAP:
                out[i] = (turn["voice"], _question_text(" ".join(turn["texts"])))
    return out


def _question_text(text: str) -> str:
    """A turn's text as shown: its last ``MAX_QUESTION_CHARS`` characters from a word's start, after
    an ellipsis, when it is longer."""
    if len(text) <= MAX_QUESTION_CHARS:
        return text
    tail = text[-MAX_QUESTION_CHARS:]
    space = tail.find(" ")
    if 0 <= space < MAX_QUESTION_CHARS // 2:
        tail = tail[space + 1:]
    return "… " + tail


def question_html(question: tuple[str, str] | None) -> str:
    """The interviewer's question above an answer's paragraph: greyed, set apart by a rule on its
    left, labelled with the interviewer's voice; every text escaped. Empty for no question."""
    if not question:
        return ""
    who, text = question
    return (f'<div style="{QUESTION_STYLE}"><i>{shown_html(who)} asked:</i> '
            f'<span dir="auto">{shown_html(text)}</span></div>')


def _source_line(row: dict[str, Any]) -> str:
    """Where the claim comes from, as an annotator needs it: the source (``source_name``: the outlet,
    else the author or handle and platform, ...), the author, date, kind of document, what it reposts,
    and the voice. Never the document's ``source_type``: that is a label id (the distant label), the
    very judgement the annotator is asked to make."""
    author = row.get("author") or row.get("authors")
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author)
    if row.get("outlet") in (None, "") and row.get("source") in (None, ""):
        author = None   # the source's name is the author's (or names no one): not said twice
    kind = str(row["kind"]).replace("_", " ") if row.get("kind") else None
    # what the document reposts, for the voices of the repost (not the blogger's or the commenters')
    reposted = (f"reposted from {row['reposted_from']}"
                if row.get("reposted_from") and row.get("speaker") in REPOST_VOICES else None)
    name = source_name(row)
    if name == " ".join(str(row.get("title") or "").split()):
        name = None   # no outlet, author or site: the title the heading shows is not said twice
    if author is not None and " ".join(str(author).split()).casefold() == " ".join(str(name or "").split()).casefold():
        author = None   # a page whose author tag is its outlet ("Vostok Today · Vostok Today")
    parts = [name, author, row.get("date"), kind, reposted]
    line = " · ".join(str(p) for p in parts if p not in (None, ""))
    speaker = voice(row.get("speaker"), row.get("speaker_name"))
    # Bidi controls in an outlet or a name would reorder the line's own "voice:" after them: shown as markers.
    return marked(f"{line} · voice: {speaker}" if line else f"voice: {speaker}")


def _meta_value(value: Any) -> Any:
    """A free metadata value as a task carries it: text, a finite number or a boolean; a list of
    names (``tags``: ["war", "energy"]) as a list of texts, so that the pulled dataset has a list
    column and ``stance evaluate --by tags`` a group for each member; other nested values as compact
    JSON; None when it is over ``MAX_META_CHARS`` (a list: its members joined) or empty (Label
    Studio keeps every task's data in its database)."""
    if isinstance(value, bool) or (isinstance(value, int)) or (isinstance(value, float) and math.isfinite(value)):
        return value
    text = _meta_text(value)
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_META_CHARS:
        return None
    return (meta_members(value) or None) if is_name_list(value) else text


def meta_members(value: list[Any]) -> list[str]:
    """A list of names as a task carries it: each member as text, the empty ones left out."""
    return [str(v) for v in value if str(v).strip()]


def _meta_text(value: Any) -> Any:
    """A list of names joined with commas (as shown to annotators), other lists and mappings as
    compact JSON; else ``value``."""
    if is_name_list(value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return value


def free_fields(row: dict[str, Any], taken: Any = (), left_out: dict[str, str] | None = None) -> list[tuple[str, str, Any]]:
    """The document metadata of a claim row beyond what a task already carries (``taken``, a task's
    data so far), as (the row's own name, the task's data key, value). A field whose name the task or
    the pull uses for something else (a column ``note``, ``split`` or ``label``, which a pull writes
    itself; a ``source_line`` or ``context_html``, which the view builds) keeps its value under
    ``meta_<name>``; a field the task carries with the same value (``outlet``, ``date``) is not repeated.
    ``left_out``, when given, gets each field a value the task cannot carry and why (too long, past the
    ``MAX_META_FIELDS``th), for the push to say so."""
    skip = set(CLAIM_FIELDS) | set(NOT_METADATA) | set(PRELABEL_RECORD)
    taken = taken if isinstance(taken, dict) else dict.fromkeys(taken)
    out: list[tuple[str, str, Any]] = []
    keys: set[str] = set()
    for name, value in row.items():
        if not isinstance(name, str) or name in skip or (name in taken and taken[name] == value):
            continue
        kept = _meta_value(value)
        if kept is None:
            text = _meta_text(value) if left_out is not None else None
            if left_out is not None and isinstance(text, str) and len(text) > MAX_META_CHARS:   # not an empty value
                left_out[name] = f"over {MAX_META_CHARS} characters"
            continue
        if len(out) >= MAX_META_FIELDS:
            if left_out is None:
                break
            left_out[name] = f"past the {MAX_META_FIELDS}th field"
            continue
        value = kept
        key = name
        while key in PULLED_FIELDS or key in taken or key in keys or (key in row and key != name):
            key = f"meta_{key}"   # apart from ours, and from the row's own meta_<name> column
        keys.add(key)
        out.append((name, key, value))
    return out


def left_out_note(left_out: dict[str, dict[str, str]]) -> str | None:
    """One note naming the metadata fields tasks could not carry (``left_out``: a task's claim id to its
    fields and why, from ``claim_to_task``), with how many tasks each reason touched; None when none."""
    if not left_out:
        return None
    # each reason's names in the order met: a dict, not a list searched for each field of each task
    names: dict[str, dict[str, None]] = {}
    tasks: dict[str, set[str]] = {}
    for claim, fields in left_out.items():
        for name, why in fields.items():
            name = " ".join(name.split()) or "(unnamed column)"   # a key's line break would split the note
            name = name if len(name) <= 60 else name[:59] + "…"
            names.setdefault(why, {})[name] = None
            tasks.setdefault(why, set()).add(claim)
    parts = [f"{', '.join(list(fields)[:8])}{' and more' if len(fields) > 8 else ''} ({why}: {len(tasks[why])} "
             f"task{'s' if len(tasks[why]) > 1 else ''})" for why, fields in names.items()]
    return (f"{len(left_out)} task(s) left out document metadata, since a task carries at most {MAX_META_FIELDS} "
            f"fields of {MAX_META_CHARS} characters: {', '.join(parts)}; Label Studio and the pulled dataset do not "
            "have them (join them to the pull by doc_id, or shorten the fields)")


def free_metadata(row: dict[str, Any], taken: Any = ()) -> dict[str, Any]:
    """The document metadata of a claim row beyond the fields a task already has (``taken``): a
    JSONL's ``platform``, a manifest's own keys, so that they reach the pulled dataset and
    ``stance evaluate --by``. Kept compact (``_meta_value``; at most ``MAX_META_FIELDS``); a name the
    task or the pull uses goes as ``meta_<name>`` (``free_fields``)."""
    return {key: value for _, key, value in free_fields(row, taken)}


# The block of free metadata under the paragraph: the original-language text, a channel column.
META_BLOCK_STYLE = "margin-top: 0.6em; padding-top: 0.4em; border-top: 1px solid #ddd; font-size: 0.85em; color: #444"


MAX_META_SHOWN = 8   # metadata lines above the claim's choices at most; the rest are in the task's data
# a data set's own label or split: an answer, or nothing an annotator needs (the task still carries them)
NOT_SHOWN = frozenset({"label", SPLIT_COLUMN})


# A document's voice hints (corpus.voices.ROW_HINTS: a Markdown file's front matter, a manifest's keys)
# the claims step has made into voices: not shown when the source line names that person already.
VOICE_HINTS = ("interviewer", "interviewee")


def _name_key(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def metadata_html(meta: dict[str, Any], shown_names: Any = ()) -> str:
    """The free metadata of a task as annotators see it under the paragraph, by the row's own names
    (``free_fields``): one line a field, ``name: value``, every text escaped, the first
    ``MAX_META_SHOWN`` of them and then how many more the task's data holds; empty when there is none.
    A data set's own ``label`` or ``split`` is not shown (``NOT_SHOWN``), nor an ``interviewer`` or
    ``interviewee`` whose name is one of ``shown_names`` (the voice's name and the parts of the
    source line: the author's, the outlet's): the task's data keeps them all."""
    names = {_name_key(marked(str(name))) for name in shown_names if name not in (None, "")}
    fields = [(name, value) for name, value in meta.items() if str(name).strip().lower() not in NOT_SHOWN
              and not (name in VOICE_HINTS and _name_key(marked(str(value))) in names)]
    lines = []
    for name, value in fields[:MAX_META_SHOWN]:
        text = str(value).lower() if isinstance(value, bool) else str(_meta_text(value))
        name = name.strip() or "(unnamed column)"
        lines.append(f'<div><b>{shown_html(name)}</b>: <span dir="auto">{shown_html(text)}</span></div>')
    more = len(fields) - MAX_META_SHOWN
    if more > 0:
        lines.append(f"<div><i>and {more} more field{'s' * (more != 1)} (in the task's data)</i></div>")
    return f'<div style="{META_BLOCK_STYLE}">{"".join(lines)}</div>' if lines else ""


def _offset(row: dict[str, Any]) -> int | None:
    start, context_start = row.get("start"), row.get("context_start")
    if isinstance(start, int) and isinstance(context_start, int):
        return start - context_start
    return None


def _label_ids(scheme: Any) -> list[str]:
    return [label.id for label in scheme.labels]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_probs(probs: Any) -> None:
    """``probs``, when given, maps label ids to numbers; ValueError naming what is not. (Its labels
    are not checked against the scheme: pre-labels of a wider scheme push under a narrower one.)"""
    if probs is None:
        return
    if not isinstance(probs, dict):
        raise ValueError(f"probs {probs!r} is not an object of label id: probability")
    for label, value in probs.items():
        if not _is_number(value):
            raise ValueError(f"probs[{label!r}] {value!r} is not a number")


def claim_to_task(row: dict[str, Any], scheme: Any, question: tuple[str, str] | None = None,
                  left_out: dict[str, str] | None = None) -> dict[str, Any]:
    """A Label Studio task for one claim row: its data and, when pre-labelled, its prediction.
    ``question`` (the interviewer's voice and words, from ``interview_questions``) is shown above
    the paragraph of an interviewee's answer. ``left_out``, when given, gets the metadata fields the
    task cannot carry and why (``free_fields``).

    Raises ValueError naming the field when the row lacks a claim id or text, its ``is_claim`` is
    not a boolean, its ``probs`` not numbers, or its pre-label is not a label of ``scheme``.
    """
    claim_id = row.get("claim_id")
    if not claim_id or not isinstance(row.get("text"), str):
        hint = " (this is a pair row: push it with --pairs)" if "claim_a" in row or "text_a" in row else ""
        raise ValueError(f"a claim row needs `claim_id` and `text`{hint}")
    is_claim_flag(row)
    _check_probs(row.get("probs"))
    data = {
        "claim_id": str(claim_id),
        "doc_id": row.get("doc_id"),
        "text": row["text"],
        "context_html": question_html(question) + context_html(row["text"], row.get("context"), _offset(row)),
        "title": str(row.get("title") or source_name(row)),
        "source_line": _source_line(row),
        "outlet": row.get("outlet"),
        "date": row.get("date"),
        "source_type": row.get("source_type"),
        "speaker": row.get("speaker"),
        "speaker_name": row.get("speaker_name"),
        "is_claim": row.get("is_claim"),
        "reason": row.get("reason"),
    }
    data.update(shown_fields(data))   # what the view shows of the text and title: bidi controls as markers
    # Provenance for the pulled dataset (offsets into the document, its metadata); not shown to
    # annotators, and hidden in the first data manager tab.
    for key in PROVENANCE_FIELDS:
        if row.get(key) not in (None, "", []):
            data[key] = row[key]
    # The document's other metadata (a platform, a collection, a manifest's own keys): for the pulled
    # dataset and `stance evaluate --by`, and shown under the paragraph (an original-language text
    # beside its translation, a channel column the source line cannot name).
    fields = free_fields(row, taken=data, left_out=left_out)
    data.update((key, value) for _, key, value in fields)
    data["context_html"] += metadata_html({name: value for name, _, value in fields},
                                        [data["speaker_name"], *data["source_line"].split(" · ")])
    task: dict[str, Any] = {"data": data}
    prediction = claim_prediction(row, scheme)
    if prediction is not None:
        task["predictions"] = [prediction]
    return task


def claim_prediction(row: dict[str, Any], scheme: Any) -> dict[str, Any] | None:
    """The Label Studio prediction of a pre-labelled claim row, or None when it has no pre-label."""
    label = row.get("prediction")
    if label is None:
        return None
    ids = _label_ids(scheme)
    if label not in ids:
        raise ValueError(f"prediction {label!r} is not a label of scheme {scheme.name!r} ({', '.join(ids)}); "
                         "push with the --scheme the pre-labels were made with")
    score = row.get("score")
    if score is None and isinstance(row.get("probs"), dict):
        score = row["probs"].get(label)
    if not _is_number(score):
        raise ValueError(f"score {score!r} is not a number; a pre-labelled row needs `score` or `probs`")
    version = row.get("model_version")
    if not version:
        raise ValueError("a pre-labelled row needs `model_version`")
    return {"model_version": str(version), "score": float(score), "result": [lc.choice_result(label)]}


def _side(pair: dict[str, Any], side: str) -> dict[str, Any]:
    """One claim of a pair, from flat ``text_a``-style fields or a nested ``a``/``claim_a`` record."""
    nested = pair.get(side) if isinstance(pair.get(side), dict) else None
    if nested is None and isinstance(pair.get(f"claim_{side}"), dict):
        nested = pair[f"claim_{side}"]
    out = dict(nested or {})
    for key in ("text", "context", "start", "context_start", "title", "outlet", "source", "author", "date",
                "source_type", "speaker", "speaker_name", "stance", "stance_by", "prediction", "claim_id", "doc_id"):
        for name in (f"{key}_{side}", f"{side}_{key}"):
            if name in pair and key not in out:
                out[key] = pair[name]
    claim = pair.get(f"claim_{side}")
    if isinstance(claim, (str, int)) and "claim_id" not in out:
        out["claim_id"] = str(claim)
    doc = pair.get(f"doc_{side}")
    if isinstance(doc, (str, int)) and "doc_id" not in out:
        out["doc_id"] = str(doc)
    if "stance" not in out and "prediction" in out:
        out["stance"] = out["prediction"]
    return out


def pair_relation(pair: dict[str, Any]) -> tuple[str, float] | None:
    """The pre-label of a pair (relation id, score) from its own field or its similarity and stances.

    A relation the pair already carries (``relation``, ``prediction``, or the ``suggested`` relation
    `stance compare` works out) wins, and a ``suggested`` of null is compare's "no guess" (a loose
    mutual pair, a claim without a stance): nothing is pre-selected. Otherwise (pairs from elsewhere):
    similarity under 0.5: unrelated; same stance: agree; different stances: same point, different
    framing. A pair with no similarity, or a claim without a stance, gets no pre-label.
    """
    given = pair.get("relation") or pair.get("prediction") or pair.get("suggested")
    similarity = pair.get("similarity")
    if given in lc.RELATION_IDS:
        score = pair.get("score", similarity)
        return given, float(score) if isinstance(score, (int, float)) else 0.5
    if "suggested" in pair:
        return None   # compare said it has no guess: the rule below would pre-select one all the same
    if not isinstance(similarity, (int, float)):
        return None
    similarity = float(similarity)
    if similarity < 0.5:
        return "unrelated", 1.0 - similarity
    stance_a, stance_b = _side(pair, "a").get("stance"), _side(pair, "b").get("stance")
    if stance_a is None or stance_b is None:
        return None   # a claim without a stance: nothing to say whether the framing differs
    if stance_a == stance_b:
        return "agree", similarity
    return "same_point_different_framing", similarity


def pair_key(pair: dict[str, Any]) -> str:
    """A pair's stable id: its own ``pair_id``, else the two claim ids joined."""
    if pair.get("pair_id"):
        return str(pair["pair_id"])
    a, b = _side(pair, "a").get("claim_id"), _side(pair, "b").get("claim_id")
    if not a or not b:
        hint = " (this is a claim row: push it with --in)" if "claim_id" in pair else ""
        raise ValueError(f"a pair row needs `claim_a` and `claim_b` (claim ids) or a `pair_id`{hint}")
    return f"{a}|{b}"


def check_pair(pair: dict[str, Any]) -> None:
    """ValueError naming the field when a pair lacks a claim's text, or its similarity, score or
    relation is not what `stance compare` writes (numbers; a relation id)."""
    for side in ("a", "b"):
        text = _side(pair, side).get("text")
        if text is None or text == "":
            raise ValueError(f"a pair row needs `text_{side}` (the text of claim {side}); it has none")
        if not isinstance(text, str):
            raise ValueError(f"text_{side} {text!r} is not text")
    for field in ("similarity", "score"):
        value = pair.get(field)
        if value is not None and not _is_number(value):
            raise ValueError(f"{field} {value!r} is not a number")
    for field in ("relation", "prediction", "suggested"):
        value = pair.get(field)
        if value is not None and value not in lc.RELATION_IDS:
            raise ValueError(f"{field} {value!r} is not a relation ({', '.join(lc.RELATION_IDS)})")


def pair_to_task(pair: dict[str, Any]) -> dict[str, Any]:
    """A Label Studio task for a claim pair: both claims in their paragraphs, sources, pre-label.
    ValueError naming the field when the pair is malformed (``check_pair``)."""
    data: dict[str, Any] = {"pair_id": pair_key(pair)}
    check_pair(pair)
    for side in ("a", "b"):
        claim = _side(pair, side)
        text = claim["text"]
        data[f"claim_{side}"] = claim.get("claim_id")
        data[f"doc_{side}"] = claim.get("doc_id")
        data[f"text_{side}"] = text
        data[f"stance_{side}"] = claim.get("stance")
        data[f"{side}_html"] = context_html(text, claim.get("context"), _offset(claim))
        title = claim.get("title") or ""   # the source line names the source (source_name), never a bare id
        source = _source_line(claim)
        if claim.get("stance"):   # `stance compare --labels` takes an annotated claim's label: not a prediction
            by = "annotators' stance" if claim.get("stance_by") == "annotators" else "predicted stance"
            source += f" · {by}: {claim['stance']}"
        data[f"{side}_source"] = f"{marked(str(title))} — {source}" if title else source
    similarity = pair.get("similarity")
    data["similarity"] = similarity
    data["pair_line"] = (f"similarity {float(similarity):.2f}" if isinstance(similarity, (int, float))
                         else "similarity unknown")
    task: dict[str, Any] = {"data": data}
    relation = pair_relation(pair)
    if relation is not None:
        value, score = relation
        task["predictions"] = [{
            "model_version": str(pair.get("model_version") or PAIR_MODEL_VERSION),
            "score": float(score),
            "result": [lc.choice_result(value, from_name=lc.RELATION, to_name=lc.PAIR_A)],
        }]
    return task


def _validate(tasks: list[tuple[str, dict[str, Any]]], config: str, path: Path) -> None:
    """Check every prediction against the label config; the first bad one is a UserError."""
    from label_studio_sdk.label_interface import LabelInterface

    interface = LabelInterface(config)
    seen: set[str] = set()
    for where, task in tasks:
        for prediction in task.get("predictions", []):
            shape = json.dumps(prediction["result"], sort_keys=True)
            if shape in seen:   # same result as one already checked: only the value and score differ
                continue
            errors = interface.validate_prediction(prediction, return_errors=True)
            if errors:
                raise UserError(f"{path}: {where}: the pre-label does not fit the label config: {errors[0]}")
            seen.add(shape)
