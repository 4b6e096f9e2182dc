"""Claim filter: is a sentence a checkable or arguable claim? (placeholder, being replaced)"""

from __future__ import annotations


def classify(text: str) -> tuple[bool, str]:
    """Return ``(is_claim, reason)`` for one sentence."""
    stripped = text.strip()
    if stripped.endswith("?"):
        return False, "question"
    if len(stripped.split()) < 4:
        return False, "fragment"
    return True, "claim"
