"""Terminal controls from the data are printed as escapes, never acted on."""

from __future__ import annotations

import io

from claimstance.cli import main
from claimstance.terminal import SafeStream, protect, visible


def test_escape_sequences_and_bidi_overrides_become_visible_text():
    assert visible("ANSI\x1b[31mRED\x1b]0;title\x07") == "ANSI\\x1b[31mRED\\x1b]0;title\\x07"
    assert visible("Kyiv\u202egpj.exe\u2066") == "Kyiv\\u202egpj.exe\\u2066"
    assert visible("tab\tline\nbar\r\u00e9\u2014\u201cok\u201d") == "tab\tline\nbar\r\u00e9\u2014\u201cok\u201d"
    assert visible("\x9b2J\x7f") == "\\x9b2J\\x7f"


def test_a_stream_is_wrapped_once_and_keeps_its_other_attributes():
    raw = io.StringIO()
    wrapped = protect(raw)
    assert protect(wrapped) is wrapped and isinstance(wrapped, SafeStream)
    wrapped.write("a\x1b[2Jb")
    assert raw.getvalue() == "a\\x1b[2Jb" and wrapped.getvalue() == raw.getvalue()
    # A progress bar's leading carriage return redraws its line; one from the data is shown.
    raw.seek(0), raw.truncate()
    wrapped.write("\r 40%|####")
    wrapped.write("error: notes.txt\rhidden.txt: unreadable")
    assert raw.getvalue() == "\r 40%|####error: notes.txt\\rhidden.txt: unreadable"


def test_a_file_name_holding_an_escape_sequence_is_shown_escaped(tmp_path, capsys):
    missing = tmp_path / "notes\x1b]0;pwned\x07.txt"
    code = main(["claims", str(missing), "--out", str(tmp_path / "claims.jsonl")])
    err = capsys.readouterr().err
    assert code != 0 and "\x1b" not in err and "\x07" not in err
    assert "notes\\x1b]0;pwned\\x07.txt" in err
