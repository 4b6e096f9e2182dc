"""Telegram Desktop exports: "Export chat history" of a channel or chat, machine-readable JSON
(``result.json``), one post a document.

A post's ``text`` is a string, or a list of strings and entity objects (``{"type": "bold", "text":
...}``, links, mentions, hashtags) that read in order make the post: joined as they come, so a
claim's offsets index exactly the text Telegram shows. Each post gets the chat's name as its outlet,
the platform (Telegram), its date, its author (``from``), who it was forwarded from, its message and
reply ids, and an id ``tg-<chat id>-<message id>``; a t.me link only when the export names the
chat's username (a channel's title is not its username). The file's manifest entry applies to every
post, and an entry by ``id:`` to that post. Service messages (a pin, a title change) and posts
without text (a photo or video alone) are left out, counted in one note; so are posts an earlier
export of the same chat held (overlapping exports: each post read once, the first export's text).
A lone surrogate (an emoji cut in two, ``\\ud83d``) becomes U+FFFD, one character for one. The media
folders beside result.json (photos/, files/ ...) are no documents (``corpus.sources``: one note).

A ``.json`` file is read only when its content is such an export: a JSON object with a ``messages``
list and a chat ``type``; any other JSON is an unknown format.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from corpus.errors import json_problem
from corpus.decoding import _decode, _read_bytes, may_hold_surrogates, replace_surrogates, surrogates_note
from corpus.records import Document, with_source_file
from corpus.sources import OnNote, OnSkip, ReadOptions, Skipped, Source, _document, _file_meta, unknown_format

PLATFORM = "Telegram"
CHAT_TYPES = ("public_channel", "private_channel", "public_supergroup", "private_supergroup", "private_group",
              "personal_chat", "bot_chat", "saved_messages")


def is_export(data: Any) -> bool:
    """Is ``data`` (parsed JSON) a Telegram Desktop export of one chat?"""
    return (isinstance(data, dict) and isinstance(data.get("messages"), list)
            and isinstance(data.get("type"), str) and data["type"] in CHAT_TYPES)


_END = object()


def post_text(message: dict[str, Any]) -> str | None:
    """A message's text: its ``text`` string, or its strings and entities' texts joined in order
    (``text_entities`` when there is no ``text``); None when it is neither. An entity without text (a
    bare ``{"type": "link"}``) adds nothing; one whose text is itself a list adds that list's text."""
    value = message.get("text", message.get("text_entities"))
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return None
    parts: list[str] = []
    stack: list[Any] = [iter(value)]
    while stack:   # no recursion: an entity nesting others is read as deep as it goes
        part = next(stack[-1], _END)
        if part is _END:
            stack.pop()
            continue
        if isinstance(part, dict):
            part = part.get("text")
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, list):
            stack.append(iter(part))
    return "".join(parts)


def _named(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def post_meta(chat: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """What a post's document knows of it, from the export alone."""
    meta: dict[str, Any] = {}
    if _named(chat.get("name")):
        meta["outlet"] = chat["name"]
    meta["platform"] = PLATFORM
    if _named(message.get("date")):
        meta["date"] = message["date"]
    if _named(message.get("from")):
        meta["author"] = message["from"]
    if _named(message.get("forwarded_from")):
        meta["forwarded_from"] = message["forwarded_from"]
    if message.get("reply_to_message_id") is not None:
        meta["reply_to"] = message["reply_to_message_id"]
    meta["message_id"] = message.get("id")
    username = _named(chat.get("username"))
    if username and isinstance(message.get("id"), int):
        meta["url"] = f"https://t.me/{username.lstrip('@')}/{message['id']}"
    return meta


def _post_id(chat: dict[str, Any], message: dict[str, Any]) -> str | None:
    chat_id, message_id = chat.get("id"), message.get("id")
    if isinstance(chat_id, (int, str)) and isinstance(message_id, (int, str)) and str(message_id):
        return f"tg-{chat_id}-{message_id}"
    return None   # the text's hash


def _not_an_export(data: Any) -> str:
    """Why a parsed ``.json`` is not read, and what to do."""
    if isinstance(data, dict) and isinstance(data.get("chats"), dict):
        return ("a full Telegram data export (all chats), not one chat's; export the channel alone with "
                "Export chat history (format: JSON), or leave it out")
    return unknown_format(".json", ": not a Telegram Desktop export (a JSON object with `messages` and a chat "
                                   "`type`); a list of documents reads as JSONL, one object a line")


def _again_note(path: str, again: dict[str, list[int]]) -> str:
    """The note for posts of an export already read from another export of the same chat."""
    n = sum(sum(counts) for counts in again.values())
    edited = sum(counts[1] for counts in again.values())
    changed = (f"; {edited} of them with another text (edited between the exports): the first export's is kept"
               if edited else "")
    return (f"{path}: {n} post{'s' if n > 1 else ''} already read from {', '.join(again)} (an export of the same "
            f"chat overlapping this one) not read again{changed}")


def read_telegram_export(source: Source, options: ReadOptions, on_skip: OnSkip,
                         on_note: OnNote | None = None) -> Iterator[Document]:
    """The posts of a Telegram Desktop export as documents, in the export's order."""
    data = _read_bytes(source.path, options.max_mb, on_skip, whole=True)
    text = _decode(data, source.path, on_skip) if data is not None else None
    if text is None:
        return
    try:
        chat = json.loads(text)
    except json.JSONDecodeError as err:
        if text.lstrip().startswith("{"):   # an export cut short (a copy that did not finish)
            on_skip(Skipped(f"{source.path}:{err.lineno}", f"malformed JSON ({json_problem(err)}); export it again"))
        else:
            on_skip(Skipped(source.path, _not_an_export(None)))
        return
    except RecursionError:
        on_skip(Skipped(source.path, "malformed JSON (nested too deep); export it again"))
        return
    if not is_export(chat):
        on_skip(Skipped(source.path, _not_an_export(chat)))
        return
    surrogates = 0
    if may_hold_surrogates(data):   # an emoji cut in two (a truncated post): no UTF-8 output can hold its half
        chat, surrogates = replace_surrogates(chat)
    if surrogates and on_note is not None:
        on_note(surrogates_note(source.path, surrogates))
    entry = {k: v for k, v in _file_meta(source).items() if k not in ("id", "voices")}
    service = textless = read = 0
    again: dict[str, list[int]] = {}   # the export a post was read from before -> [same text, edited since]
    for n, message in enumerate(chat["messages"]):
        if not isinstance(message, dict):
            on_skip(Skipped(f"{source.path}: message {n + 1}", "not a JSON object; export it again"))
            continue
        if message.get("type", "message") != "message":
            service += 1
            continue
        body = post_text(message)
        if body is None:
            on_skip(Skipped(f"{source.path}: message {message.get('id', n + 1)}",
                            "its text is neither a string nor a list of strings and entities; export it again"))
            continue
        if not body.strip():
            textless += 1
            continue
        doc_id = _post_id(chat, message)
        if doc_id is not None and source.posts is not None:   # overlapping exports of one chat: read once
            first = source.posts.setdefault(doc_id, (source.path, hash(body)))
            if first[0] != source.path:
                again.setdefault(first[0], [0, 0])[first[1] != hash(body)] += 1
                continue
        meta = {**post_meta(chat, message), **entry}   # what the manifest says wins over the export
        if doc_id is not None and source.manifest is not None:
            meta.update((k, v) for k, v in (source.manifest.for_id(doc_id) or {}).items() if k != "id")
        meta = with_source_file(meta, source.path)   # a manifest's own source_file stays, as meta_source_file
        read += 1
        yield _document(body, meta, source.path, doc_id)
    left_out = [f"{n} {one if n == 1 else many}" for n, one, many in (
        (service, "service message", "service messages"),
        (textless, "post without text (media only: a photo, video, file, sticker or poll)",
         "posts without text (media only: photos, videos, files, stickers or polls)"))
        if n]
    if again and on_note is not None:
        on_note(_again_note(source.path, again))
    if not read and again:
        return   # every post was read from another export: said above
    if not read:
        why = f" ({' and '.join(left_out)})" if left_out else ""
        on_skip(Skipped(source.path, f"no post with text in the export{why}; export a chat whose posts have text"))
    elif left_out and on_note is not None:
        on_note(f"{source.path}: {' and '.join(left_out)} not read (nothing to split); "
                f"{read} post{'s' if read > 1 else ''} of {chat.get('name') or os.path.basename(source.path)} read")
