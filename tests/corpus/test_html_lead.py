"""A page whose extractor keeps only the story's container: its headline and standfirst are put back."""

from __future__ import annotations

from pathlib import Path

from corpus.extraction import extract_claims
from corpus.readers import read_documents
from corpus.sources import ReadOptions, Skipped

STORY = "".join(f"<p>{p}</p>\n" for p in (
    "The regime in the capital has once again accused its neighbour of striking civilians after an explosion "
    "damaged a residential building overnight, despite mounting evidence of a failed interception.",
    "The defence ministry said on Saturday that its forces carried out a precise strike on a deployment point "
    "of foreign mercenaries in the city's eastern district.",
    "\"The armed forces deliberately deploy air defence systems in residential neighbourhoods,\" a military "
    "blogger said on his channel.",
    "Western outlets repeated the capital's version of events without mentioning the air defence hypothesis, "
    "critics noted on Sunday evening."))

# The headline and summary sit above the story's container, as on a state broadcaster's site.
CONTAINER_PAGE = f"""<html><head><title>City blames neighbour after its own missile falls – Example TV</title>
<meta property="og:site_name" content="Example TV"></head><body>
<div class="header"><a href="/">Home</a> <a href="/news">News</a> <a href="/shows">Shows</a></div>
<div class="article">
<h1 class="article__heading">City blames neighbour after its own missile falls</h1>
<div class="article__summary">Officials rushed to accuse the neighbour while evidence points to a failed interception, analysts say</div>
<div class="article__date">14 Mar, 2026 14:05</div>
<div class="article__text">
{STORY}</div>
<div class="read-more"><h3>READ MORE:</h3><a href="#">Leader demands more weapons</a></div>
</div><div class="footer">All rights reserved.</div></body></html>"""

# The headline inside the article: the extractor keeps it; a byline and a date are no standfirst.
ARTICLE_PAGE = f"""<html><head><title>Missile strike on apartment block kills 11 - Wire</title></head><body>
<main><article><h1>Missile strike on apartment block kills 11</h1>
<div class="byline">By Olena Marchuk and Thomas Reed</div>
<time datetime="2026-03-14T10:22:00Z">March 14, 2026 10:22 AM UTC</time>
{STORY}</article></main></body></html>"""


def read_page(tmp_path: Path, page: str) -> tuple[list, list[Skipped]]:
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    skipped: list[Skipped] = []
    return list(read_documents([str(path)], ReadOptions(), skipped)), skipped


def test_a_headline_and_standfirst_above_the_story_s_container_open_the_text(tmp_path: Path) -> None:
    [doc], skipped = read_page(tmp_path, CONTAINER_PAGE)
    assert skipped == []
    headline = "City blames neighbour after its own missile falls"
    standfirst = "Officials rushed to accuse the neighbour while evidence points to a failed interception, analysts say"
    assert doc.text.startswith(f"{headline}\n{standfirst}\nThe regime in the capital has once again accused")
    assert "14 Mar, 2026" not in doc.text and "READ MORE" not in doc.text and "Home" not in doc.text
    claims = extract_claims(doc)
    assert [(c.text, c.reason) for c in claims[:1]] == [(headline, "headline")]
    assert claims[1].text == standfirst and claims[1].reason != "headline"
    assert all(doc.text[c.start:c.end] == c.text for c in claims)


def test_a_page_whose_extracted_text_has_its_headline_is_left_as_extracted(tmp_path: Path) -> None:
    import trafilatura

    [doc], _ = read_page(tmp_path, ARTICLE_PAGE)
    extracted = trafilatura.bare_extraction(ARTICLE_PAGE, with_metadata=True).text
    assert doc.text == extracted.strip()
    assert doc.text.startswith("Missile strike on apartment block kills 11\nThe regime")
    assert extract_claims(doc)[0].reason == "headline"


def test_a_standfirst_the_extractor_drops_under_a_kept_headline_is_put_back_under_it() -> None:
    from corpus.readers import _page_tree, _with_lead

    lead = "Rescuers searched the rubble for survivors as the death toll rose through the day."
    page = ARTICLE_PAGE.replace('<div class="byline">', f'<p class="standfirst">{lead}</p>\n<div class="byline">')
    body = "Missile strike on apartment block kills 11\nThe regime in the capital has once again accused it."
    tree = _page_tree(page)
    assert _with_lead(body, tree) == (
        f"Missile strike on apartment block kills 11\n{lead}\nThe regime in the capital has once again accused it.")
    kept = f"Missile strike on apartment block kills 11\n{lead}\nThe regime in the capital has once again accused it."
    assert _with_lead(kept, tree) == kept   # already there: nothing added
    inside = "The regime said so.\nMissile strike on apartment block kills 11\nMore."
    assert _with_lead(inside, tree) == inside   # the headline further down: left where it is


def test_a_site_name_set_as_an_h1_is_no_headline_to_put_back(tmp_path: Path) -> None:
    page = CONTAINER_PAGE.replace('<div class="header">', '<h1 class="logo">Example TV</h1><div class="header">', 1)
    page = page.replace('<h1 class="article__heading">City blames neighbour after its own missile falls</h1>',
                        '<h2 class="article__heading">A headline set as h2</h2>')
    [doc], _ = read_page(tmp_path, page)
    assert doc.text.startswith("The regime in the capital has once again accused")


XHTML = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
         '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n')


def test_an_xhtml_page_s_xml_declaration_leaves_its_headline_and_standfirst_put_back(tmp_path: Path) -> None:
    [html_page], _ = read_page(tmp_path, CONTAINER_PAGE)
    page = XHTML + CONTAINER_PAGE.replace("<html>", '<html xmlns="http://www.w3.org/1999/xhtml">', 1)
    [xhtml], skipped = read_page(tmp_path, page)
    assert skipped == []
    # was the story alone: lxml parses no str that declares its encoding, so no headline was put back
    assert xhtml.text == html_page.text
    assert xhtml.text.startswith("City blames neighbour after its own missile falls\nOfficials rushed to accuse")
    assert xhtml.meta["voices"] == html_page.meta["voices"]


def test_a_page_lxml_cannot_read_leaves_the_side_channels_off_without_a_traceback() -> None:
    from corpus.readers import _page_tree

    for page in ("", "  \n", "<!-- only a comment -->", "<!DOCTYPE html>", '<?xml version="1.0" encoding="utf-8"?>'):
        assert _page_tree(page) is None, page
    for page in ("<p>a\x00b</p>", "<html><head><title>x</title></head><body></body></html>",
                 "<p>a\x01b\x0b\ufffe</p>", '<?xml version="1.0" encoding="windows-1251"?><p>Слава</p>'):
        assert _page_tree(page) is not None, page
    big = "<html><body>" + "<p>Moscow hardened its line this week.</p>" * 520_000 + "</body></html>"   # 20 MB
    assert len(big) > 20_000_000 and len(_page_tree(big).findall(".//p")) == 520_000
