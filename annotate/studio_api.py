"""Talking to any Label Studio server, local or remote: the probe that tells it is one, its errors
on one line with every secret masked, and the checks on a URL and an API key before any request.

Nothing here knows about workspaces: ``annotate.studio_workspace`` keeps the local server's
credentials, and ``annotate.studio.connect`` brings the two together.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import sys
import urllib.parse
from typing import Any

from corpus.errors import UserError

PROBE_TIMEOUT = 15      # seconds the first call of `connect` waits; bulk calls keep the client's 300 s
API_KEY_ENV = "LABEL_STUDIO_API_KEY"


def _note(message: str) -> None:
    """A ``note:`` line on stderr (push and pull, which call ``connect``, have no other channel for it)."""
    print(f"note: {message}", file=sys.stderr)


_KEY_CHARACTERS = re.compile(r"[\x21-\x7e]+")   # printable ASCII without spaces: what a header value can carry


def _check_key(key: Any, source: str, fix: str) -> None:
    """Refuse a key no HTTP header can carry, before any request (it would read as a server not answering)."""
    if not isinstance(key, str) or not _KEY_CHARACTERS.fullmatch(key):
        raise UserError(f"the API key in {source} holds characters a key cannot have "
                        f"(a line break, a space, a control or non-ASCII character); {fix}")


_TOKEN = re.compile(r"\b(Token|Bearer)\s+[^\s\"',;}]+", re.IGNORECASE)
_PIECE = 8      # a piece of a secret this long at either end of a text is masked too (a cut-off echo)
EXCERPT = 200   # characters of a server's error body shown in a message


def scrub(text: str, *secrets_: str | None) -> str:
    """``text`` with the given secrets and anything shaped like an Authorization value masked.

    Any piece of 8 or more characters of a secret is masked too, wherever it stands: an echo cut
    short (by the server, mid-message, or by ``excerpt`` at its end) leaks at most 7 characters.
    """
    for secret in secrets_:
        if not secret:
            continue
        text = text.replace(secret, "***")
        if len(secret) >= _PIECE and len(text) >= _PIECE:
            pieces = {secret[i:i + _PIECE] for i in range(len(secret) - _PIECE + 1)}
            hit = [False] * len(text)
            for i in range(len(text) - _PIECE + 1):
                if text[i:i + _PIECE] in pieces:
                    hit[i:i + _PIECE] = [True] * _PIECE
            if any(hit):
                text = re.sub(r"\x00+", "***", "".join("\x00" if h else c for c, h in zip(text, hit)))
    return _TOKEN.sub(lambda m: f"{m.group(1)} ***", text)


def excerpt(text: Any, *secrets_: str | None, limit: int = EXCERPT) -> str:
    """The first ``limit`` characters of ``text`` on one line, secrets masked BEFORE the cut (a key
    straddling it would otherwise survive as a prefix) and a piece left at the cut masked after it."""
    return scrub(scrub(" ".join(str(text).split()), *secrets_)[:limit], *secrets_)


def api_error_text(err: Any, api_key: str | None = None) -> str:
    """What a Label Studio API error says, on one line: the field errors when it names them.

    A server echoing the request's key back (some proxies do) never gets it printed: see ``scrub``.
    """
    body = getattr(err, "body", None)
    text = None
    if isinstance(body, dict):
        fields = body.get("validation_errors")
        if isinstance(fields, dict) and fields:
            text = "; ".join(f"{name}: {' '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                             for name, msgs in fields.items())
        elif body.get("detail"):
            text = str(body["detail"])
    if text is None:
        return excerpt(body, api_key)
    return scrub(text, api_key)


def not_label_studio(url: str, hint: str = "check --url") -> UserError:
    """The error for a server that answers, but not the way Label Studio 1.x does."""
    return UserError(f"{url} does not answer like Label Studio 1.x; {hint}")


def base_url(client: Any) -> str:
    """The URL a ``LabelStudio`` client talks to (for messages)."""
    with contextlib.suppress(Exception):
        return str(client._client_wrapper.get_base_url()).rstrip("/")
    return "the server"


def client_key(client: Any) -> str | None:
    """The API key a ``LabelStudio`` client sends (only to mask it in messages)."""
    with contextlib.suppress(Exception):
        return client._client_wrapper._tokens_client.api_key
    return None


def looks_like_projects_page(body: Any) -> bool:
    """Whether a GET /api/projects/ answer is a page of Label Studio projects (``results``, ``count``)."""
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        return False
    count = body.get("count", 0)
    if not isinstance(count, int) or isinstance(count, bool):
        return False
    return all(isinstance(p, dict) and isinstance(p.get("id"), int) and not isinstance(p.get("id"), bool)
               for p in body["results"])


def _probe(client: Any, url: str, where: str, hint: str) -> None:
    """One quick authenticated call (``PROBE_TIMEOUT``) whose answer must be a page of projects."""
    import httpx

    try:
        response = client._client_wrapper.httpx_client.request(
            "api/projects/", method="GET", params={"page_size": 1},
            request_options={"timeout_in_seconds": PROBE_TIMEOUT})
    except httpx.TimeoutException:
        raise UserError(f"Label Studio at {url} did not answer in {PROBE_TIMEOUT} s; {hint}") from None
    except (httpx.HTTPError, httpx.InvalidURL, ValueError):
        raise UserError(f"Label Studio at {url} is not answering; {hint}") from None
    if response.status_code in (401, 403):
        raise UserError(f"Label Studio at {url} refused {where} ({response.status_code}); check the key")
    if response.status_code >= 400:
        raise UserError(f"Label Studio at {url} answered {response.status_code}; {hint}")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not looks_like_projects_page(body):
        raise not_label_studio(url, hint)


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str) -> None:
    """Refuse a ``user:password@`` in --url (never echoed: it would reach messages, report.json and the
    dataset card, and it would replace the key); note a plain http:// URL to another machine."""
    netloc = re.split(r"[/?#]", url.split("//", 1)[-1], maxsplit=1)[0]   # "h?next=a@b" holds no user
    if "@" in netloc:
        raise UserError(f"--url must not hold a user name or password; the key comes from {API_KEY_ENV}")
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError:
        return   # the probe reports a URL it cannot reach
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise UserError(f"--url {url} is not an http(s) address; give the server's address, such as "
                        "https://labelstudio.example.org or http://127.0.0.1:8080")
    if parts.scheme.lower() == "http" and host and not _loopback(host):
        _note(f"--url {url} is plain http to another machine: the API key travels unencrypted; "
              "use https:// if the server offers it")
