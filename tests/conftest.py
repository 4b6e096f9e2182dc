"""Shared fixtures: a real Label Studio (one server per test session, in a temporary workspace) and
Debian's Chromium for the browser tests.

Tests that take the ``studio`` fixture (or ``studio_client``) are marked ``studio`` automatically.
Outside CI a missing Label Studio executable skips them with the reason; in CI (``CI=true``) nothing
skips: a server that cannot start fails the tests loudly.
"""

from __future__ import annotations

import os
import shutil
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from annotate import studio as studio_server
from corpus.errors import UserError

STUDIO_FIXTURES = {"studio", "studio_client"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if STUDIO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.studio)


@pytest.fixture(scope="session", autouse=True)
def own_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One graphs-and-embeddings cache for the session, in pytest's temporary folder (removed with it
    when every test passed): the tests neither read nor fill the user's ~/.cache/claimstance, and
    commands they run in subprocesses inherit it."""
    patch = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("cache")
    patch.setenv("CLAIMSTANCE_CACHE", str(folder))
    try:
        yield folder
    finally:
        patch.undo()


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running Label Studio: yields ``{"url", "api_key", "username", "password", "port", "pid",
    "workspace", "studio_json", "log"}``; ``workspace`` is the directory to pass as ``--workspace``."""
    try:
        studio_server.find_binary()
    except UserError as err:
        if _in_ci():
            pytest.fail(f"CI=true and Label Studio is missing: {err}")
        pytest.skip(str(err))
    workspace = tmp_path_factory.mktemp("studio-workspace")
    try:
        info = studio_server.start(workspace, port=_free_port())
    except UserError as err:
        log = Path(workspace) / "studio.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
        pytest.fail(f"Label Studio did not start: {err}\n--- studio.log ---\n{tail}")
    try:
        yield info
    finally:
        studio_server.stop(workspace)


@pytest.fixture(scope="session")
def studio_client(studio: dict[str, Any]) -> Any:
    """A ``label_studio_sdk.LabelStudio`` client logged in as the admin of the ``studio`` server."""
    client, _ = studio_server.connect(studio["workspace"])
    return client


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium() -> dict[str, Any]:
    """Launch options for Debian's Chromium (never a downloaded browser build), headless, with the
    background networking this closed machine refuses switched off; fails in CI when missing."""
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not found:
        if _in_ci():
            pytest.fail("CI=true and Debian's chromium is missing: apt-get install chromium (make browser)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {"executable_path": found, "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run"]}


@pytest.fixture
def studio_page(studio: dict[str, Any], chromium: dict[str, Any]) -> Iterator[Any]:
    """A headless Chromium page logged in to the ``studio`` server as its admin."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{studio['url']}/user/login/")
            page.fill("input[name=email]", studio["username"])
            page.fill("input[name=password]", studio["password"])
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            yield page
        finally:
            browser.close()


class BagEncoder:
    """A stand-in sentence encoder: hashed bag of lower-cased words, unit length (no model needed)."""

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), 128), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, zlib.crc32(word.strip(".,!?;:'\"").encode()) % 128] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


def bag_embed(texts: list[str]) -> np.ndarray:
    """``BagEncoder().encode`` as a plain function, for matchers that take an embed callable."""
    return BagEncoder().encode(texts)


@pytest.fixture
def bag_encoder() -> BagEncoder:
    """The stand-in encoder, for tests of the bootstrap and pre-labels that need no real model."""
    return BagEncoder()


def join_by_invite(url: str, admin_key: str, email: str, password: str) -> str:
    """Sign a colleague up through the organisation's invite link, as a person would in Label
    Studio's web form (a POST with the page's CSRF token); return their API key."""
    import httpx

    invite = httpx.get(f"{url}/api/invite", headers={"Authorization": f"Token {admin_key}"}).json()["invite_url"]
    with httpx.Client(base_url=url) as browser:
        browser.get(invite)
        form = {"email": email, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                "allow_newsletters": "false"}
        answer = browser.post(invite, data=form, headers={"Referer": url + invite})
        assert answer.status_code == 302, answer.text[:500]
        return browser.get("/api/current-user/token").json()["token"]
