"""Label Studio labelling configs made from a label scheme, and the names tasks and predictions use.

The claim view shows the document's title, outlet and date, the claim's voice, and the claim
highlighted in its context (its paragraph; a one-sentence paragraph with its neighbours in its
voice), every text with its bidirectional controls as visible markers (the claim and title from the
task's ``text_shown`` and ``title_shown``: ``claim_tasks.shown_fields``); the stance is a single choice whose ``alias`` is the scheme's label id, so annotation
results carry ids (``kremlin_framing``) while annotators read display names.
The pairs view shows two claims side by side and asks how they relate.
"""

from __future__ import annotations

import html
from typing import Any

# Control and object tag names: push writes predictions against them, pull reads results by them.
STANCE = "stance"        # Choices: one label of the scheme
NOTE = "note"            # TextArea: the annotator's free note
CUES = "cues"            # Labels: optional spans of framing cues inside the claim
PROBLEM = "problem"      # Choices (multiple, optional): the annotator flags a badly made claim
CLAIM = "claim"          # Text: the claim sentence (the Choices and spans point at it)
CONTEXT = "context"      # HyperText: the claim's context, claim in <mark>, every text escaped
RELATION = "relation"    # Choices of the pairs project
PAIR_A = "claim_a"       # HyperText: the first claim of a pair, in its context
PAIR_B = "claim_b"

CUE_LABEL = "framing cue"

# The pairs project's choices: (id used in results, display name, hotkey, hint).
RELATIONS = (
    ("agree", "Agree", "a", "Both claims make the same point and take the same side."),
    ("contradict", "Contradict", "c", "The claims make opposite statements about the same thing."),
    ("same_point_different_framing", "Same point, different framing", "f",
     "The same fact or event, told with a different framing, stance or emphasis."),
    ("unrelated", "Unrelated", "u", "The claims are about different things."),
)
RELATION_IDS = tuple(rel[0] for rel in RELATIONS)

# The flags an annotator may raise on a claim: (id used in results, display name, hint). Optional and
# independent of the stance, which stays required: a flagged claim keeps the stance it was given.
PROBLEMS = (
    ("not_a_claim", "not a claim", "The sentence states nothing that could be true or false: a question, "
     "a greeting, a heading, a fragment."),
    ("split_wrong", "split wrong", "The claim is cut in the wrong place: half a sentence, or two sentences."),
    ("wrong_voice", "wrong voice", "The voice shown above is not who says it."),
    ("wrong_context", "wrong context", "The paragraph shown is not the claim's own, or misses what it needs."),
)
PROBLEM_IDS = tuple(problem[0] for problem in PROBLEMS)


def _attr(value: Any) -> str:
    """A value escaped for an XML attribute (quotes included)."""
    return html.escape(str(value), quote=True)


def _hotkeys(scheme: Any) -> list[str]:
    """Each label's hotkey, or 1, 2, 3... when the scheme gives none (unique, never clashing)."""
    used = {str(label.hotkey) for label in scheme.labels if getattr(label, "hotkey", None)}
    free = (str(n) for n in range(1, 10) if str(n) not in used)
    return [str(label.hotkey) if getattr(label, "hotkey", None) else next(free, "") for label in scheme.labels]


def label_config(scheme: Any, cue_spans: bool = True, problem_flags: bool = True) -> str:
    """The labelling config (XML) of a claim project for ``scheme``: the stance, then the optional
    problem flags (``problem_flags``), a note, and framing-cue spans on the claim (``cue_spans``)."""
    choices = []
    for label, hotkey in zip(scheme.labels, _hotkeys(scheme)):
        hint = getattr(label, "description", "") or ""
        parts = [f'value="{_attr(label.name)}"', f'alias="{_attr(label.id)}"']
        if hotkey:
            parts.append(f'hotkey="{_attr(hotkey)}"')
        if hint:
            parts.append(f'hint="{_attr(" ".join(hint.split()))}"')
        choices.append(f"      <Choice {' '.join(parts)}/>")
    flags = ""
    if problem_flags:   # no hotkeys: they would clash with a scheme's, and a flag is raised rarely
        flags = ('  <Header value="Problem with this claim? (optional)" size="6"/>\n'
                 f'  <Choices name="{PROBLEM}" toName="{CLAIM}" choice="multiple" required="false" showInline="true">\n'
                 + "".join(f'    <Choice value="{_attr(name)}" alias="{pid}" hint="{_attr(hint)}"/>\n'
                           for pid, name, hint in PROBLEMS)
                 + "  </Choices>\n")
    cues = ""
    if cue_spans:
        cues = (f'    <Labels name="{CUES}" toName="{CLAIM}" choice="multiple" showInline="true">\n'
                f'      <Label value="{CUE_LABEL}" background="#f4a261"/>\n'
                f'    </Labels>\n')
    return (
        "<View>\n"
        '  <Header value="$title_shown" size="4"/>\n'
        '  <Text name="source" value="$source_line"/>\n'
        '  <View style="padding: 0.5em 0.8em; background: #f6f6f6; border-radius: 4px">\n'
        f'    <HyperText name="{CONTEXT}" value="$context_html" inline="true"/>\n'
        "  </View>\n"
        '  <Header value="Claim" size="6"/>\n'
        f'  <View style="font-size: 1.1em">\n'
        f"{cues}"
        f'    <Text name="{CLAIM}" value="$text_shown"/>\n'
        "  </View>\n"
        f'  <Header value="{_attr(getattr(scheme, "title", "") or "Stance")}" size="6"/>\n'
        f'  <Choices name="{STANCE}" toName="{CLAIM}" choice="single-radio" required="true" showInline="false">\n'
        + "\n".join(choices) + "\n"
        "  </Choices>\n"
        f"{flags}"
        f'  <TextArea name="{NOTE}" toName="{CLAIM}" placeholder="Note (optional): why, or what is unclear"'
        ' rows="2" maxSubmissions="1" editable="true"/>\n'
        "</View>\n"
    )


UL = "<ul>"
HOW_TO = (
    "<h4>How to annotate</h4>" + UL +
    "<li>The claim is highlighted inside its paragraph (a paragraph that is the claim alone comes with the "
    "paragraphs before and after it by the same speaker); judge the claim, using the text around it as context. An "
    "interviewee's answer has the interviewer's question above it, in grey: judge the answer as a reply to it.</li>"
    "<li>The pre-label is already selected: <kbd>Ctrl</kbd>+<kbd>Enter</kbd> submits it as it is. To change it, "
    "press another label's key. Pressing the selected label's own key unselects it.</li>"
    f"<li>Optional: press the <i>{CUE_LABEL}</i> key (the number beside it) and select words of the claim to mark "
    f"them as a {CUE_LABEL}; write a note "
    "in the box and press <kbd>Shift</kbd>+<kbd>Enter</kbd> to add it.</li>"
    "<li>Optional: when the claim itself is badly made, tick what is wrong (or press the number beside it) under "
    "<i>Problem with this claim?</i> ("
    + ", ".join(f"<i>{html.escape(name)}</i>" for _, name, _ in PROBLEMS)
    + "), still choose the stance it takes as shown, and submit. The flags come back with the stance; "
    "they do not replace it.</li></ul>"
)


def config_kind(config: str | None) -> str | None:
    """What a label config labels: ``"pairs"`` (the comparison view: a ``relation`` Choices on
    ``claim_a``), ``"claims"`` (a ``stance`` Choices on ``claim``), or None (neither, or not XML)."""
    import xml.etree.ElementTree as ET

    if not config:
        return None
    try:
        root = ET.fromstring(config)
    except ET.ParseError:
        return None
    for node in root.iter("Choices"):
        if node.get("name") == RELATION and node.get("toName") == PAIR_A:
            return "pairs"
        if node.get("name") == STANCE and node.get("toName") == CLAIM:
            return "claims"
    return None


def _bullets(page: str) -> str:
    """List items with a visible bullet: Label Studio's page style removes the list markers."""
    return page.replace("<li>", "<li>&bull; ")


def _guideline_html(text: str) -> list[str]:
    """Plain guideline text as HTML: blank lines part paragraphs, ``- `` lines are list items."""
    blocks: list[tuple[str, list[str]]] = []   # ("p" | "li", lines)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            blocks.append(("p", []))
        elif stripped.startswith(("- ", "* ")):
            blocks.append(("li", [stripped[2:]]))
        elif blocks and blocks[-1][1] and (blocks[-1][0] == "p" or line[:1].isspace()):
            blocks[-1][1].append(stripped)   # an indented line continues a list item
        else:
            blocks.append(("p", [stripped]))
    out: list[str] = []
    in_list = False
    for kind, lines in blocks:
        if not lines:
            continue
        if kind == "li" and not in_list:
            out.append(UL)
        if kind != "li" and in_list:
            out.append("</ul>")
        in_list = kind == "li"
        out.append(f"<{kind}>{html.escape(' '.join(lines))}</{kind}>")
    if in_list:
        out.append("</ul>")
    return out


def instructions(scheme: Any) -> str:
    """The scheme's guidelines and labels as HTML for the project's ``expert_instruction``.

    Each label shows its description and a few example claims, not its cue list: the cues are the
    bootstrap's evidence, and annotators shown them would lean toward its pre-labels."""
    out = [f"<h3>{html.escape(getattr(scheme, 'title', '') or scheme.name)}</h3>"]
    out.extend(_guideline_html(getattr(scheme, "guidelines", "") or ""))
    out.append(UL)
    for label, hotkey in zip(scheme.labels, _hotkeys(scheme)):
        key = f" (key <kbd>{html.escape(hotkey)}</kbd>)" if hotkey else ""
        item = f"<li><b>{html.escape(label.name)}</b>{key}: {html.escape(getattr(label, 'description', '') or '')}"
        examples = list(getattr(label, "examples", None) or [])
        if examples:
            item += "<br>Examples: " + " / ".join(f"<i>{html.escape(str(e))}</i>" for e in examples[:3])
        out.append(item + "</li>")
    out.append("</ul>")
    out.append(HOW_TO)
    return _bullets("\n".join(out))


def pairs_config() -> str:
    """The labelling config (XML) of a pairs project: two claims side by side and their relation."""
    choices = "\n".join(
        f'      <Choice value="{_attr(name)}" alias="{rid}" hotkey="{key}" hint="{_attr(hint)}"/>'
        for rid, name, key, hint in RELATIONS)
    side = (
        '    <View style="flex: 1; padding: 0.5em 0.8em; background: #f6f6f6; border-radius: 4px">\n'
        '      <Text name="{x}_source_line" value="${x}_source"/>\n'
        '      <HyperText name="{name}" value="${x}_html" inline="true"/>\n'
        "    </View>\n"
    )
    return (
        "<View>\n"
        '  <Text name="pair_line" value="$pair_line"/>\n'
        '  <View style="display: flex; gap: 1em">\n'
        + side.replace("{x}", "a").replace("{name}", PAIR_A)
        + side.replace("{x}", "b").replace("{name}", PAIR_B)
        + "  </View>\n"
        f'  <Choices name="{RELATION}" toName="{PAIR_A}" choice="single-radio" required="true" showInline="true">\n'
        f"{choices}\n"
        "  </Choices>\n"
        f'  <TextArea name="{NOTE}" toName="{PAIR_A}" placeholder="Note (optional)" rows="2" maxSubmissions="1" editable="true"/>\n'
        "</View>\n"
    )


PAIRS_INSTRUCTIONS = _bullets(
    "<h3>How do these two claims relate?</h3>"
    "<p>Two claims from different documents that the tool found similar. Each is shown inside its "
    "paragraph (with the paragraphs around it by the same speaker when it is the claim alone), the claim "
    "highlighted, with its source and voice.</p>" + UL
    + "".join(f"<li><b>{html.escape(name)}</b> (key <kbd>{key}</kbd>): {html.escape(hint)}</li>"
              for _, name, key, hint in RELATIONS)
    + "</ul><h4>How to annotate</h4>" + UL
    + "<li>The relation already selected is a rule's guess from the similarity and the two predicted "
      "stances, not a judgement: read both claims and check it. A pair with nothing selected is one the rule "
      "had no guess for (a loose pair, or a claim without a stance): choose the relation yourself.</li>"
      "<li><kbd>Ctrl</kbd>+<kbd>Enter</kbd> submits the selection; a relation's key changes it.</li></ul>"
)


def choice_result(value: str, from_name: str = STANCE, to_name: str = CLAIM) -> dict[str, Any]:
    """One Choices result item as Label Studio stores it (``value`` is the label id, the alias)."""
    return {"from_name": from_name, "to_name": to_name, "type": "choices", "value": {"choices": [value]}}
