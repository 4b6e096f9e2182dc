"""Paragraph and sentence splitting with exact character offsets.

Every span is a pair of offsets into the original text, never into a cleaned copy, so
``text[start:end]`` is the unit with surrounding white space stripped, and every
non-space character of the document lies in exactly one sentence.

How it works, and why it is fast: one compiled regex finds the candidate sentence ends
(runs of ``.!?…`` with closing quotes or brackets, followed by white space and by
something that is not a lower-case letter), over whole paragraphs at C speed. Only those
candidates reach Python, where a few set look-ups decide abbreviations, initials, list
markers and ellipses. Lines are paragraphs, except a hard-wrapped line that continues (no end
punctuation, and the next line starts in lower case or the block is wrapped at a fixed width; or
it stops where no sentence can, after a comma, "the", "of" or "said President"; or, short as it may be,
it stops where neither a sentence nor a heading can before what goes on: "Officials said" over "Kyiv would
respond.", "... met Prime Minister" over "Shmyhal on Monday.", "by Mr." over "Smith", "rose to" over
"12.", in Russian "с" over "Лавровым"). A quotation's
lines (``> ``) are read after their markers; a heading, a list item, a turn label, a rule line
(``* * *``, ``---``, a setext heading's ``====``), a table's line (``| a | b |``, ``|---|---|``) or another
quotation depth starts a new paragraph.
"""

from __future__ import annotations

import re

# --- word lists ------------------------------------------------------------------------
# Titles and other abbreviations that come before a name or a number: never a sentence end.
_PREPOSITIVE = frozenset(
    """mr mrs ms mx messrs mmes mme mlle dr drs prof rev fr hon pres gov sen sens rep reps gen lt col
    maj capt cpt sgt cpl pvt adm cmdr brig cdr supt insp det st mt ft vs v cf viz
    им ул пл пер просп св акад проф ген тов вул пров""".split()
)   # Russian and Ukrainian too: "им." (named after), "ул." (street), "акад."
# Abbreviations usually followed by a number: no sentence end before a digit.
_BEFORE_NUMBER = frozenset(
    """no nos nr n° nº p pp para paras art arts sec secs ch chap vol vols fig figs eq eqs ex ed eds
    op tel pt pts al ca approx est jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# Other common abbreviations: a sentence ends after them only before a capital letter.
_ABBREVIATIONS = _BEFORE_NUMBER | frozenset(
    """co corp inc ltd llc plc bros dept univ assn jr sr esq etc ave blvd rd hwy mon tue tues wed thu
    thur thurs fri sat sun min max hr hrs sq km kg mg ml lb lbs oz yr yrs mo mos govt intl natl
    ph.d e.g i.e a.k.a u.s u.k e.u u.n a.m p.m""".split()
)
# Multi-period abbreviations that never end a sentence.
_NEVER_END = frozenset({"e.g", "i.e", "cf", "viz", "a.k.a"})
# Words that start sentences: after "U.S." or "E.U." one of these means a new sentence.
_STARTERS = frozenset(
    """A An And As At But By Did Do Does During For From He Her Here His How However I If In It Its
    Many Meanwhile Millions More Most My No Nor Now On Once One Our She So Some Still Such That The
    Their Then There These They This Those Thus To We What When Where Which While Who Why With Yet
    You Your""".split()
)

# --- patterns --------------------------------------------------------------------------
# A line stripped of white space, and a line break (those of str.splitlines). A negated class
# makes the regex ten times slower than ".", so "." is used when only \n and \r\n occur.
_RARE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(r"\S(?:[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*\S)?")
_PLAIN_LINE = re.compile(r"\S(?:.*\S)?")
_ANY_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Text wrapped at a fixed width: the longest line of a block, and how full a wrapped line is.
_WRAP_MIN, _WRAP_MAX, _FULL = 55, 100, 0.8
# "Question: ", "John Smith: ", and in Markdown emphasis "**Q:** ", "__Interviewer__: "
_LABEL = re.compile(r"(?:\*\*|__|[*_])?[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}(?:\*\*|__|[*_])?:(?:\*\*|__|[*_])?\s")
# A broadcast transcript's turn label with a role: "WOLF BLITZER, CNN ANCHOR: ", "SEN. LINDSEY GRAHAM (R),
# SOUTH CAROLINA: ", "DMITRY PESKOV, KREMLIN SPOKESMAN (through translator): "
_ROLE_LABEL = re.compile(r"[A-Z][A-Z'’.-]*(?: [A-Z][A-Z'’.-]*){0,4}(?: \([A-Z][\w .-]{0,11}\))?,"
                         r"(?: [A-Z0-9][A-Z0-9.,'’&/-]*){1,12}(?: \([^()\n]{1,40}\))?:\s")
# A quotation's markers opening a line (Markdown's and e-mail's "> ", nested "> > ").
_QUOTE_MARKS = re.compile(r"(?:>[ \t]?)+")
# A line that is only a rule: a thematic break ("* * *", "***", "---", "___") or the underline of a
# setext heading ("=====", "-----"). Never part of a paragraph.
_RULE_CHARS = "=-*_"
RULE_LINE = re.compile(r"=+[ \t]*|-+[ \t]*|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|(?:-[ \t]*){3,}")
# A table's line: a Markdown pipe table's row, which opens and closes with "|" ("| Kursk | 2 dead |", as
# trafilatura lays out an HTML table's rows too), or its delimiter row ("|---|:--:|", "---|---"). Never
# part of a paragraph.
_DELIMITER_ROW = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?")
_TABLE_LINE = re.compile(r"\|[^\n\r]*\||" + _DELIMITER_ROW.pattern)
# A line ending in one of these words stops where no sentence ends ("... the\nKremlin said"), and a
# title before a name after one of them ("... said President\nZelensky") or a comma does too. Words a
# heading may end in ("What we stand for") are safe only on a line as long as a wrapped one (_OPEN_MIN).
_OPEN_WORDS = frozenset(
    """a an the and or nor but of to in on at by for from with into onto upon over under about against
    between among as than that which who whom whose whether because while amid despite via per including
    since until during within throughout across toward towards unless although whereas
    its their his her our your my""".split()
)
# Words after which a title opens a name ("said President", "talks with Prime Minister"); not "the" or
# "his", which a headline may end in ("... sacks his Defence Minister", "... meets the President")
_BEFORE_TITLE = frozenset("said says told tells added warned wrote urged asked with by to from and between".split())
_NAME_TITLES = frozenset(
    """President Vice Prime Minister Foreign Defence Defense Interior Deputy First Chancellor Secretary
    General Senator Sen. Governor Gov. Mayor Ambassador Spokesman Spokeswoman Spokesperson Press King Queen
    Pope Patriarch Colonel Col. Commander Chief Director Speaker Premier Judge Justice""".split()
)
_PLACE_ABBREVIATIONS = frozenset({"st", "mt", "ft", "v", "vs", "cf", "viz"})   # "Main St." may end a line
_OPEN_MIN = 40   # characters of a line before a capital that reads unfinished
# A line of any length that ends in no sentence mark runs on to a next line opening with a name
# ("The minister met with" over "Sergei Lavrov on Monday.", "Officials said" over "Kyiv would respond.")
# when it stops where neither a sentence nor a heading can: after one of these words, which nothing
# ends ("Russia and the"), after a preposition or a speech verb in the past (a heading may end in a
# preposition, "What we stand for", or a verb, "What Putin said": not after a wh-word, nor in Title Case), or
# where _open_end says so ("The talks failed, said President"; not after a comma: "Best regards,").
# Russian and Ukrainian too: a line ending in a conjunction or a preposition ("и", "что", "в", "з") stops where
# neither a sentence nor a heading can, whatever the next line opens with.
_NEVER_LAST_CYRILLIC = frozenset("""и а но или либо что чтобы і й та але або чи що щоб""".split())
_STRANDED_CYRILLIC = frozenset("""в во на с со к ко по о об обо от до из изо за у при для без через между под над перед
    про из-за из-под около после против среди вокруг з із зі від між під над перед після проти серед біля навколо""".split())
_NEVER_LAST = frozenset("""a an the and or nor but that whose whether because than although whereas unless its their
    our your my""".split()) | _NEVER_LAST_CYRILLIC
_STRANDED = frozenset("""of to in on at by for from with into onto upon over under about against between among via
    including since until during within throughout across toward towards despite amid""".split()) | _STRANDED_CYRILLIC
_SAID = frozenset("""said told added warned stated announced claimed insisted confirmed noted wrote argued declared
    заявил заявила заявили сказал сказала сказали сообщил сообщила сообщили отметил отметила добавил добавила
    заявив сказав повідомив повідомила повідомили зазначив зазначила додав додала""".split())
_WH = frozenset("what who whom whose which where when why how".split())
# Words that open a sentence or a heading's paragraph, never a name: after "with" a capital "The" or
# "After" starts a new line ("Who we work with" over "After the war ..."); compared in lower case.
_NOT_NAMES = frozenset(w.lower() for w in _STARTERS) | frozenset(
    """about above according across after against ago all along also although always am among another any
    are around asked because been before being below besides between both can cannot could despite
    do does each either else even ever every everyone few following had has have having he hence here
    hers him himself i if into is just last later least less let like may me might mine more most much
    must near neither never next none not nothing of off often only or other others otherwise ours
    over own perhaps please rather same several shall should since so speaking than therefore thereby
    though through throughout today tomorrow too towards under unless unlike until up upon us very
    via was were whatever whenever whereas whether whichever while whom whose will within without
    would yes yesterday yet yours""".split())
# Columns laid out with tabs, runs of spaces or pipes (a table, a manual's option list): not prose
_COLUMNS = re.compile(r"\t|\||(?<![.!?:;\s])  ")
# A capitalised word opening a line; in capitals, not a dateline's or a transcript speaker's ("MOSCOW
# (Reuters) -", "KYIV, Ukraine", "WOLF BLITZER"), which no sentence runs on to
_NAME_START = re.compile(r"([A-ZА-ЯЁІЇЄҐ][\w'’.-]*+)(?:(?<![A-ZА-ЯЁІЇЄҐ])|(?<=[A-ZА-ЯЁІЇЄҐ])"
                         r"(?![ \t]*[,(:—–-]|[ \t]+[A-ZА-ЯЁІЇЄҐ]{2}))")
# What follows a name that goes on from the line before it, and cannot open a sentence of its own: a
# preposition, a conjunction, a relative pronoun, a comma or a sentence's end ("Shmyhal on Monday.",
# "Shmyhal, who", "Odesa and Lviv"); not a verb ("Reznikov was dismissed" under a headline)
_NAME_GOES_ON = re.compile(r"(?:[ \t]+[A-ZА-ЯЁІЇЄҐ][\w'’-]*){0,3}(?:[.,;]|[ \t]+(?:of|to|in|on|at|by|for|from|with|and|or"
                           r"|who|whose|which|during|after|before|since|until|и|в|на|с|из|по|та|і|й|з|у|который|которая"
                           r"|которые|який|яка|які)(?=[ \t,.;]|$))")
_NAME_LIST_GOES_ON = re.compile(r"[ \t]+(?:and|or|и|или|та|і|й|або)[ \t]")   # "Odesa and Lviv", not "Davis, A.,"
# A count opening a line ("12 people", "3,000 civilians"), and the words that make a verb before it passive,
# which may end a sentence ("Three people were killed" over "12 people were wounded.")
_COUNT = re.compile(r"\d[\d,.]*[ \t]+[a-z]")
_BE = frozenset("be is are am was were been being get gets got".split())
# A line of prose words: a word of letters and another after it ("the grid held"), not code ("endfor", "x.y(")
_PROSE_WORDS = re.compile(r"[^\W\d_][^\W\d_'’-]*[ \t]+[^\W\d_]", re.UNICODE)
# Russian and Ukrainian abbreviations a lower-case word follows within a sentence ("т.е.", "г." for a year, "млн")
_ABBREVIATIONS_CYRILLIC = frozenset("""г гг т.е т.к т.д т.п т.н т.ч др пр см напр млн млрд тыс трлн руб долл
    коп ок стр р обл р-н ін тис грн""".split())
# Russian and Ukrainian titles, written in lower case, in their case forms ("премьер-министр", "премьер-министром",
# "прем'єр-міністрові"): a line ending in one runs on to the name under it when the title is the nominative
# ("... украинский президент" over "Зеленский заявил ..."), or follows a speech verb, a preposition, a conjunction
# or a comma ("встретился с премьер-министром" over "Шмыгалем ..."), or the name goes on ("Шмыгалем в понедельник.")
_HARD_TITLES = """президент вице-президент премьер-министр премьер вице-премьер министр губернатор мэр канцлер патриарх
    спикер генсек генерал сенатор депутат прокурор генпрокурор полпред лидер советник помощник омбудсмен
    прем'єр-міністр прем’єр-міністр прем'єр прем’єр віце-прем'єр віце-прем’єр міністр речник очільник радник
    спікер патріарх представник""".split()
_SOFT_TITLES = "пресс-секретар госсекретар председател руководител представител прес-секретар держсекретар".split()
_TITLES_CYRILLIC_BASE = frozenset(_HARD_TITLES + [t + "ь" for t in _SOFT_TITLES] + """посол глава голова командующий
    командувач""".split())
_TITLES_CYRILLIC = _TITLES_CYRILLIC_BASE | frozenset(
    [t + end for t in _HARD_TITLES for end in ("а", "у", "ом", "е", "ові")]
    + [t + end for t in _SOFT_TITLES for end in ("я", "ю", "ем", "ём", "е", "еві")]
    + """посла послу послом главы главе главу главой голови голові голову головою командующего командующему
    командующим командующем командувача командувачу командувачем командувачеві""".split())
_TITLES_CYRILLIC |= frozenset(t[0].upper() + t[1:] for t in _TITLES_CYRILLIC)
_TITLES_CYRILLIC_BASE |= frozenset(t[0].upper() + t[1:] for t in _TITLES_CYRILLIC_BASE)
# A title's complement in the genitive, up to three words after it at a line's end ("пресс-секретарь Кремля", "министр
# иностранных дел", "глава МИД России", "речник Повітряних сил"): an acronym, a word in a genitive ending, or a genitive
# plural with none; a capitalised word not in "ов", "ев", "ей" or "ів", nor after another (a name: "Песков", "Мария
# Захарова"); not an adverb ("президент сегодня")
_GENITIVE_ENDS = ("а", "я", "ы", "и", "і", "ї", "ого", "его", "ых", "их", "ої")
_GENITIVE_PLURAL_ENDS = ("ов", "ев", "ёв", "ей", "ів")
# A deputy's title, which a caption's or a signature's title follows ("Первый заместитель министра обороны")
_DEPUTY = ("заместител", "заступник")
_GENITIVE_BARE = frozenset("дел справ сил войск військ".split())
_NOT_COMPLEMENTS = frozenset("""вчера сегодня тогда всегда снова иногда никогда сюда туда вчора сьогодні тоді завжди знову
    іноді ніколи сюди туди""".split())
# Words that open a Russian or Ukrainian sentence, never a name (compared in lower case): "... заявил президент" over
# "В понедельник ..." is two lines
_NOT_NAMES_CYRILLIC = frozenset("""в во на по с со к ко о об от до из за у при для без но и а это как так все он она
    они мы я вы там здесь когда если после однако также кроме ранее сейчас сегодня вчера завтра тогда теперь поэтому
    затем потом із від це як він вона вони ми але та і й також проте однак раніше сьогодні вчора тоді тепер тому
    потім""".split())
# Question words opening a Russian or Ukrainian heading ("Что произошло", "Що сталося"), compared in lower case
_WH_CYRILLIC = frozenset("""что как кто где когда почему зачем куда откуда сколько чем чего кого що як хто де коли чому навіщо
    куди звідки скільки чого кого""".split())
# An adjective's endings: a line of two words opening with one is a heading over a noun in "ла", "ло", "ли", not
# a subject and its verb ("Сельская школа", "Новое начало", "Нічні обстріли" over "5 областей ...")
_ADJECTIVE_ENDS = ("ый", "ий", "ой", "ая", "яя", "ое", "ые", "ие", "ій", "і")
# A Russian or Ukrainian count opening a line ("12 человек", "1 200 осіб"), and what before a verb in the past shows its
# subject came first, so that the verb may end a sentence ("Три человека погибли" over "12 ранены")
_COUNT_CYRILLIC = re.compile(r"\d(?:[\d,.]|[ \u00a0]\d)*[ \t\u00a0]+[а-яёіїєґ]")
# A date or a year opening a line ("24 февраля", "2022 года", "12 березня"): after a line of two words, a headline's
# ("Россия ответила" over "24 февраля 2022 года ..."), not a count
_DATE_CYRILLIC = re.compile(r"\d+[ \t\u00a0]+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября"
                            r"|декабря|січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада"
                            r"|грудня|года|году|год|року|рік)(?![а-яёіїєґ])")
# Nouns in "ла", "ло", "ли" that end headings ("Итоги недели", "Громкое дело"), and in "ав", "ив", "яв", "ув" ("лідерів
# держав", "у справах"; Russian "состав", "архив", "прав"): no verbs in the past
_NOT_PAST = frozenset("""недели дела дело земли цели роли модели села село число тело держав справ застав переправ заяв
    слав прав состав устав рукав сплав архив мотив актив коллектив колектив залив пролив прилив инициатив перспектив
    директив альтернатив""".split())
_COUNTED = frozenset("""один одна два две три четыре пять шесть семь восемь девять десять двое трое четверо пятеро
    несколько много человек человека людей люди один одна два дві три чотири п'ять двоє троє четверо кілька багато
    осіб особи людини""".split())
# A heading's "#"s or a list item's marker opening a line: a bullet, "1." or "a)", and in Russian and Ukrainian a
# lower-case letter and a bracket ("а)", "б)"; not "А." or "В.", which are initials: "В. Путин")
_CYRILLIC_LABEL = "а-яёіїєґ"
_HEADING_OR_ITEM = re.compile(r"(?:#{1,6}\s|[-*+•▪◦‣⁃]\s|\(?(?:\d{1,3}|[A-Za-z])[.)]\s|\(?[" + _CYRILLIC_LABEL + r"]\)\s)")
# A candidate sentence end: a run of end marks (spaced ". . ." included), closing quotes and
# brackets, then white space, then anything but a lower-case ASCII letter (after openers).
# The leading single character class lets the regex engine skip fast to the next end mark; the
# look-behinds after it keep a run of marks from being tried again at each of its characters.
_END = re.compile(
    r"([.!?…‼⁇⁈⁉](?<![.!?…‼⁇⁈⁉][.!?…‼⁇⁈⁉])(?<!\. \.)[.!?…‼⁇⁈⁉]*+(?: \.(?=[\s.\"'”’)\]]|$))*+)"
    r"([)\]\"'”’»›*_]*+)"
    r"(?:\s++(?![\"'“‘«„(\[]*[a-z.])|(?:(?<=[a-z][a-z]\.)|(?<=\d\.))(?=[A-Z][a-z]))"
)
# After a period with no space ("world.Today"), the next token must be a plain word, which
# keeps e-mail addresses, URLs and file names whole.
_GLUED_NEXT = re.compile(r"[A-Z][a-z]+[.,;:!?'\"’”)]*(?:\s|$)")
_BULLETS = "•▪◦‣⁃"
_BULLET = re.compile(r"(?<=\s)[•▪◦‣⁃]")
_LIST_START = re.compile(r"(?:[•▪◦‣⁃]\s*)?(\d{1,3}|[A-Za-z]|[" + _CYRILLIC_LABEL + r"](?=\)))(\.\)|\)|\.)(?=\s)")
_LIST_ITEM = {
    style: re.compile(r"(?<=\s)(?:[•▪◦‣⁃]\s*)?(\d{1,3}|[A-Za-z" + (_CYRILLIC_LABEL if style == ")" else "") + "])"
                      + re.escape(style) + r"(?=\s)")
    for style in (".)", ")", ".")
}
_MARKER_ONLY = re.compile(r"(?:[•▪◦‣⁃*+-]\s*)?\(?(?:\d{1,3}|[A-Za-z]|[ivxIVX]{1,5})")
_AFTER_QUOTE = re.compile(r"[)\]’'»]*\s*(\S)")
_QUOTE_MAX = 400  # longer quotations are split into their sentences all the same
_OPENERS = "\"'“‘«„‚([{¿¡*_"
_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs of ``text``: lines, joining a hard-wrapped line to the next."""
    return _paragraphs(text, 0, len(text))


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` as offsets into ``text``; every non-space character is covered."""
    end = len(text) if end is None else min(end, len(text))
    spans: list[tuple[int, int]] = []
    for ps, pe in _paragraphs(text, start, end):
        _sentences(text, ps, pe, spans)
    return spans


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if not _ANY_BREAK.search(text, start, end):  # one line, e.g. a paragraph of split_paragraphs
        m = _PLAIN_LINE.search(text, start, end)
        return [m.span()] if m else []
    rare = text.count("\r", start, end) != text.count("\r\n", start, end) or any(
        text.find(ch, start, end) >= 0 for ch in _RARE_BREAKS
    )
    lines = [m.span() for m in (_LINE if rare else _PLAIN_LINE).finditer(text, start, end)]
    paras: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        j = i + 1  # lines[i:j] is a block: lines with no blank line between them
        while j < len(lines) and not _blank_between(text, lines[j - 1][1], lines[j][0], rare):
            j += 1
        _block_paragraphs(text, lines, i, j, paras)
        i = j
    return paras


def _blank_between(text: str, e: int, s: int, rare: bool) -> bool:
    if rare:
        return len(_BREAK.findall(text, e, s)) > 1
    return text.count("\n", e, s) > 1


def _block_paragraphs(text: str, lines: list[tuple[int, int]], i: int, j: int, out: list[tuple[int, int]]) -> None:
    """Paragraphs of the block ``lines[i:j]``: each line, or lines joined where the text was hard-wrapped.

    A line continues on the next when it does not end a sentence and either the next line starts in
    lower case, or the block looks wrapped at a fixed width (three lines or more, the longest of 55
    to 100 characters, a third of them and at least two nearly as long) and this line is nearly
    as long too, or the line before is a list item's and the next is indented under it; and, whatever
    the next line starts with, when it stops where no sentence can (``_open_end``); or, at any length, before
    what goes on (a name, a number, a lower-case word) where neither a sentence nor a heading can stop (``_runs_on``). A quotation's lines are read after their ``>`` markers and continue only in a
    quotation as deep (or, in lower case, on a line without markers); a heading, a list item, a rule
    line, a table's line (one without outer pipes too, ``_pipeless_rows``) or a turn label (``Q:``,
    ``**A:**``, ``John Smith:``) is never joined.
    """
    width = 0
    if j - i > 2:
        lengths = [e - s for s, e in lines[i:j]]
        top = max(lengths)
        full = sum(n >= _FULL * top for n in lengths[:-1])
        if _WRAP_MIN <= top <= _WRAP_MAX and full >= 2 and 3 * full >= j - i - 1:
            width = top
    ps, pe = lines[i]
    ls = ps  # start of the last line
    # the rows of a table written without outer pipes ("Kursk | 2 dead" under "--- | ---"), each a line of its own
    rows = _pipeless_rows(text, lines, i, j) if j - i > 1 and text.find("|", ps, lines[j - 1][1]) >= 0 else None
    depth, lc = quote_depth(text, ps, pe)  # the paragraph's quotation depth; where the last line's words start
    item = _is_item(text, lc, pe)  # the paragraph is a list item, which an indented line continues
    for s, e in lines[i + 1 : j]:
        d, c = (0, s) if text[s] != ">" else quote_depth(text, s, e)
        last = text[pe - 1]
        ended = last in ".!?:;…"  # the line before ends a sentence, unless it stops mid-sentence ("Mr.")
        runs = False
        if rows and (s in rows or ls in rows):
            joined = False
        elif ended and (last != "." or not (
                (pe - lc >= _OPEN_MIN and (_open_end(text, lc, pe)
                                           or (text[c:c + 1].isdigit() and _number_next(text, lc, pe))))
                or (text[c:c + 1].isalpha() and (runs := _runs_on(text, lc, pe, c, e))))):  # "by Mr." over "Smith"
            joined = False
        else:
            joined = (
                c < e and lc < pe  # neither line is markers alone ("> "),
                and text[lc] != "#"  # nor is the line before a heading,
                and (d == depth or (d == 0 and text[c].islower()))  # this line is as deep in a quotation (or lazy),
                and not _HEADING_OR_ITEM.match(text, c, e)  # no heading, item
                and not (text[c] in _RULE_CHARS and RULE_LINE.fullmatch(text, c, e))  # or rule, nor after one,
                and not (text[lc] in _RULE_CHARS and RULE_LINE.fullmatch(text, lc, pe))
                and not (text[c] in "|-:" and is_table_line(text, c, e))  # nor a table's line, nor after one,
                and not (text[lc] in "|-:" and is_table_line(text, lc, pe))
                and (
                    (not ended and text[c].islower() and text.count(" ", lc, pe) >= 2)  # and goes on in lower case,
                    or (not ended and width and pe - ls >= _FULL * width and not _label(text, c, e))  # wraps,
                    or (not ended and item and d == 0 and text[s - 2:s] in ("  ", "\t", " \t"))  # goes on in an item,
                    or (pe - lc >= _OPEN_MIN and (ended or _open_end(text, lc, pe))  # or the line before stops
                        and not _label(text, c, e))  # mid-sentence,
                    or ((runs or (not ended and (last.isalpha() or (last == "," and text[c].isupper()))
                                  and _runs_on(text, lc, pe, c, e)))
                        and not (item and d == 0 and text[s - 1] not in " \t")  # (not an item's line over one unindented)
                        and not _label(text, c, e))  # or where nothing can end, before what goes on
                )
            )
        if joined:
            pe = e
        else:
            out.append((ps, pe))
            ps, pe = s, e
            depth, item = d, _is_item(text, c, e)
        ls, lc = s, c
    out.append((ps, pe))


def _pipeless_rows(text: str, lines: list[tuple[int, int]], i: int, j: int) -> set[int]:
    """Where the lines of the block ``lines[i:j]`` start that are a table's rows around a delimiter row
    (``is_delimiter_row``): the line above it when it holds a pipe (the header) and the lines below it that
    hold one, down to the first that does not. A quotation's lines are read after their ``>`` markers."""
    rows: set[int] = set()
    k = i
    while k < j:
        s, e = lines[k]
        c = quote_depth(text, s, e)[1]
        if c < e and text[c] in "|-:" and _DELIMITER_ROW.fullmatch(text, c, e):
            if k > i and text.find("|", *lines[k - 1]) >= 0:
                rows.add(lines[k - 1][0])
            rows.add(s)
            k += 1
            while k < j and text.find("|", *lines[k]) >= 0:
                rows.add(lines[k][0])
                k += 1
        else:
            k += 1
    return rows


def is_delimiter_row(text: str, s: int, e: int) -> bool:
    """Whether ``text[s:e]`` (a line stripped of white space) is a table's delimiter row (``|---|:--:|``,
    ``--- | ---``), under which lines holding a pipe are the table's rows, outer pipes or not."""
    return _DELIMITER_ROW.fullmatch(text, s, e) is not None


def is_text_setext(text: str, s: int, e: int, us: int, ue: int, above: int) -> bool:
    """Whether the line ``text[s:e]`` over the line ``text[us:ue]`` is a plain text's setext heading
    ("Background" over "=========="/"----------"). Stricter than Markdown's, since plain text draws rules
    too: the heading is a line alone (first, under a blank line or a rule line: ``above`` is where the text
    before it ends, -1 for none), ends in no ".", "," or ";", is no list item or quotation, and the underline,
    all "="s or all "-"s on the very next line, is about as long as the line (within a quarter, or three
    characters): a 72-character rule under a short last line of a paragraph is a rule."""
    n, u = e - s, ue - us
    c = text[us]
    return (c in "=-" and text.count(c, us, ue) == u and abs(u - n) <= max(3, n // 4)
            and _heading_line(text, s, e) and len(_BREAK.findall(text, e, us)) == 1
            and (above < 0 or len(_BREAK.findall(text, above, s)) > 1 or _rule_above(text, above)))


def is_text_ruled_heading(text: str, s: int, e: int, rs: int, re_: int, above: int, below: int) -> bool:
    """Whether the line ``text[s:e]`` under the rule line ``text[rs:re_]`` is a plain text's heading with no
    underline of its own ("-----" over "Why the talks failed" over a blank line): the rule, three "-"s or "="s or
    more (not "* * *", a story's scene break), stands alone above it (first, or under a blank line: ``above`` is
    where the text before the rule ends, -1 for none, so no paragraph's underline) on the line just before, and
    the line stands alone below it (last, or over a blank line: ``below`` is where the text after it starts, -1 for
    none), is at most 80 characters, ends in no ".", "," or ";", and is no list item or quotation."""
    return (e - s <= 80 and _heading_line(text, s, e)
            and text[rs] in "=-" and RULE_LINE.fullmatch(text, rs, re_) is not None
            and re_ - rs - text.count(" ", rs, re_) - text.count("\t", rs, re_) >= 3
            and len(_BREAK.findall(text, re_, s)) == 1
            and (above < 0 or len(_BREAK.findall(text, above, rs)) > 1)
            and (below < 0 or len(_BREAK.findall(text, e, below)) > 1))


def _heading_line(text: str, s: int, e: int) -> bool:
    """Whether ``text[s:e]`` may be a plain text's heading: one line, ending in no ".", "," or ";", no list item
    or quotation."""
    return (text[e - 1] not in ".,;" and text[s] != ">" and not _HEADING_OR_ITEM.match(text, s, e)
            and _ANY_BREAK.search(text, s, e) is None)


def _rule_above(text: str, above: int) -> bool:
    """Whether the line ending at ``above`` is a rule line: an overline ("=====" over "Background" over
    "=====", as reStructuredText writes a title), or a section's rule over its heading."""
    ls = max(text.rfind("\n", 0, above), text.rfind("\r", 0, above)) + 1
    while ls < above and text[ls] in " \t":
        ls += 1
    return ls < above and text[ls] in _RULE_CHARS and RULE_LINE.fullmatch(text, ls, above) is not None


def is_table_line(text: str, s: int, e: int) -> bool:
    """Whether ``text[s:e]`` (a line stripped of white space) is a table's: a row between pipes
    (``| Kursk | 2 dead |``) or a delimiter row (``|---|:--:|``, ``---|---``)."""
    return _TABLE_LINE.fullmatch(text, s, e) is not None


def _label(text: str, s: int, e: int) -> bool:
    """Whether the line ``text[s:e]`` opens with a turn label ("Q: ", "**A:** ", "John Smith: ", "PESKOV: ",
    "WOLF BLITZER, CNN ANCHOR: ")."""
    return _LABEL.match(text, s, e) is not None or (text[s].isupper() and _ROLE_LABEL.match(text, s, e) is not None)


def _is_item(text: str, s: int, e: int) -> bool:
    """Whether the line ``text[s:e]`` opens a list item ("- ", "* ", "1. ", "a) ")."""
    return not text.startswith("#", s) and _HEADING_OR_ITEM.match(text, s, e) is not None   # s may be the end: "a\n>"


def quote_depth(text: str, s: int, e: int) -> tuple[int, int]:
    """How many quotation markers (``>``) open the line ``text[s:e]``, and where its words start."""
    if text[s] != ">":
        return 0, s
    m = _QUOTE_MARKS.match(text, s, e)
    c = m.end()
    while c < e and text[c] in " \t":
        c += 1
    return text.count(">", s, m.end()), c


def _last_word(text: str, s: int, e: int) -> int:
    """Where the last word of the line ``text[s:e]`` starts (after its last space or tab)."""
    return max(text.rfind(" ", s, e), text.rfind("\t", s, e), s - 1) + 1


def _open_end(text: str, s: int, e: int) -> bool:
    """Whether the line ``text[s:e]`` stops where a sentence cannot: after a comma, a word such as
    "the", "of" or "between", "Mr.", or a title after a speech verb, "with", "by", "to", "from", "and"
    or a comma ("... said President", "... talks with Prime Minister", "Kyiv's leader, President")."""
    last = text[e - 1]
    if last == ",":
        return e - 1 > s and not text[e - 2].isspace()
    if last != "." and not last.isalpha():
        return False
    word = text[_last_word(text, s, e):e]
    if last == ".":
        key = word[:-1].lower()
        return key in _PREPOSITIVE and key not in _PLACE_ABBREVIATIONS and word[:1].isupper()
    if word in _OPEN_WORDS:
        return True
    if word not in _NAME_TITLES:
        return False
    before = _before_titles(text, s, e)
    return before is not None and (before in _BEFORE_TITLE or before[-1] == ",")


def _runs_on(text: str, s: int, e: int, c: int, ce: int) -> bool:
    """Whether the line ``text[s:e]`` stops where neither a sentence nor a heading can, before the next line
    ``text[c:ce]``, which goes on with it: a name after "with", "that", "said" ("The minister met with" over
    "Sergei Lavrov on Monday.", "Officials said" over "Kyiv would respond.", ``_NEVER_LAST``, ``_STRANDED``,
    ``_SAID``), after a title ("... met Prime Minister" over "Shmyhal on Monday.", the name going on in a
    preposition or a comma, ``_NAME_GOES_ON``), a "Mr." or an initial ("George W." over "Bush"), or a list
    of names and a comma ("Officials in Kyiv," over "Odesa and Lviv said ..."); a number or a line of
    lower-case words after "the", "to" ("The death toll rose to" over "12."), a count after a verb in the
    past ("The strike killed" over "12 people"), a lower-case word after "e.g." or "т.е."; in Russian and
    Ukrainian, anything after a conjunction or a preposition ("с" over "Лавровым"), a name after a title in lower
    case ("с премьер-министром" over "Шмыгалем"), a count after a verb in the past ("погибли" over "12 человек")."""
    w = _last_word(text, s, e)
    if w == s:
        return False   # a line of one word ("By", "Contact")
    word, last = text[w:e], text[e - 1]
    # the cheap look at the line's last word first: most lines end in none of these
    if word in _NEVER_LAST_CYRILLIC or word in _STRANDED_CYRILLIC:
        return _no_columns(text, s, e, c, ce)   # nothing ends in "и" or "в", nor does a heading
    if last == ".":
        key = word[:-1].lstrip(_OPENERS).lower()
        if len(key) > 6 or not (key in _PREPOSITIVE or len(key) == 1 or key in _NEVER_END or key in _ABBREVIATIONS_CYRILLIC):
            return False
    elif last == ",":
        if not text[w].isupper():
            return False
    elif not (last.isalpha() and (word in _NEVER_LAST or word in _STRANDED or word in _SAID or word in _NAME_TITLES
                                  or word.endswith("ed") or word in _TITLES_CYRILLIC
                                  or ("Ѐ" <= word[0] <= "ӿ" and (_past_cyrillic(word) if text[c].isdigit() else
                                                                text[c].isupper() and _complement(word)
                                                                and _complemented_title(text, s, e))))):
        return False   # a verb in the past runs on to a count alone, a title's complement to a name
    first = text[c]
    name = None
    if first.isupper():
        name = _NAME_START.match(text, c, ce)
        if name is None or name.group(1).rstrip(".'’-").lower() in _NOT_NAMES:
            return False
    elif not (first.islower() or first.isdigit()):
        return False
    return _goes_on(text, s, e, c, ce, w, word, name) and _no_columns(text, s, e, c, ce)


def _no_columns(text: str, s: int, e: int, c: int, ce: int) -> bool:
    """Whether neither line is laid out in columns (tabs, runs of spaces, pipes)."""
    return not (_COLUMNS.search(text, s, e) or _COLUMNS.search(text, c, ce))


def _goes_on(text: str, s: int, e: int, c: int, ce: int, w: int, word: str, name: re.Match | None) -> bool:
    """``_runs_on`` for a line ``text[s:e]`` whose last word ``word`` (at ``w``) may stop mid-sentence, over
    a line ``text[c:ce]`` opening with a name (matched by ``name``), a lower-case word or a digit."""
    first, last = text[c], text[e - 1]
    if last == ".":    # "Mr.", "им." or an initial over a name; "т.е.", "e.g." over a lower-case word
        key = word[:-1].lstrip(_OPENERS).lower()
        if name is not None:
            if key in _PREPOSITIVE and key not in _PLACE_ABBREVIATIONS and (word[:1].isupper() or not key.isascii()):
                return True
            # an initial after a name or an initial: "George W." over "Bush", "В. В." over "Путин"; not a
            # Roman numeral, which ends a sentence ("... during World War I." over "Walt Disney was ...")
            return len(key) == 1 and word[0].isupper() and word[0] not in "IVX" and _initial_after_name(text, s, w)
        return first.islower() and (key in _NEVER_END or key in _ABBREVIATIONS_CYRILLIC)
    if last == ",":    # a list of names over its next name: "Officials in Kyiv," over "Odesa and Lviv"
        return (name is not None and _NAME_LIST_GOES_ON.match(text, name.end(), ce) is not None
                and _last_word(text, s, w - 1) > s)
    if first.islower() and not (text[s].isalpha() and _PROSE_WORDS.match(text, c, ce)):
        return False   # code ("// or" over "client.dispatch(", "echo a" over "endfor")
    if word in _NEVER_LAST:
        return not _title_case(text, s, w)
    if word in _STRANDED or word in _SAID:  # not "What we stand for", "Nothing to worry about", "Who We Work With"
        words = text[s:w].lower().split()
        if words[0] in _WH or _title_case(text, s, w):
            return False
        if word in _STRANDED:
            return "to" not in words
        if first.isdigit():
            return False   # "Officials said" over "25 people were killed."
        comma = text.rfind(",", s, w)   # not a headline's ", Peskov said"
        return comma < 0 or not _title_case(text, comma + 1, w, 1)
    if first.isdigit():   # a verb in the past over a count: "The strike killed" over "12 people in Kharkiv."
        if _past_cyrillic(word):   # "В результате удара погибли" over "12 человек."; not "Три человека погибли"
            # a line of two words too ("Удар убил" over "12 человек."), but for a heading's question ("Что произошло");
            # neither it nor a Ukrainian verb in "в" over a date ("Россия ответила", "атакував" over "24 лютого ...": a
            # headline's lead may open with one)
            short = text.count(" ", s, e) < 2
            return (_COUNT_CYRILLIC.match(text, c, ce) is not None
                    and not (short and (text[s:w - 1].lower() in _WH_CYRILLIC
                                        or text[s:w - 1].endswith(_ADJECTIVE_ENDS)))   # "Нічні обстріли"
                    and not ((short or word[-1] == "в") and _DATE_CYRILLIC.match(text, c, ce))
                    and not any(ch.isdigit() for ch in text[s:w])
                    and text[_last_word(text, s, w - 1):w - 1].lower() not in _COUNTED)
        return (word.endswith("ed") and word.isalpha() and word.islower() and _COUNT.match(text, c, ce) is not None
                and text[_last_word(text, s, w - 1):w - 1].lower() not in _BE and text.count(" ", s, e) >= 2)
    if word in _TITLES_CYRILLIC:   # "встретился с премьер-министром" over "Шмыгалем в понедельник."
        if name is None or name.group(1).lower() in _NOT_NAMES_CYRILLIC:
            return False
        before = text[_last_word(text, s, w - 1):w - 1]
        return (word in _TITLES_CYRILLIC_BASE or before in _SAID or before in _STRANDED_CYRILLIC
                or before in _NEVER_LAST_CYRILLIC or before.endswith(",") or _name_goes_on(text, name, ce))
    if "Ѐ" <= word[0] <= "ӿ":   # a title and its complement: "заявил пресс-секретарь Кремля" over "Дмитрий Песков."
        return (name is not None and name.group(1).lower() not in _NOT_NAMES_CYRILLIC and _name_goes_on(text, name, ce)
                and _complemented_title(text, s, e))
    if word not in _NAME_TITLES or name is None:
        return False
    # a title after "said", "with" or a comma ("The talks failed, said President"), or after any word when
    # the name goes on ("... met Prime Minister" over "Denys Shmyhal on Monday.", not "Reznikov was dismissed")
    return _open_end(text, s, e) or (_name_goes_on(text, name, ce) and _before_titles(text, s, e) is not None)


def _name_goes_on(text: str, name: re.Match, ce: int) -> bool:
    """Whether the name ``name`` opening a line that ends at ``ce`` goes on (``_NAME_GOES_ON``: "Shmyhal on Monday.")."""
    return _NAME_GOES_ON.match(text, name.start(1) + len(name.group(1).rstrip(".")), ce) is not None


def _complement(word: str, before: str = "") -> bool:
    """Whether the Russian or Ukrainian ``word``, after the word ``before``, reads as a title's complement in the genitive
    (``_GENITIVE_ENDS``: "Кремля", "МИД", "обороны", "дел"); not a title itself."""
    if word in _TITLES_CYRILLIC or not word.replace("-", "").isalpha():
        return False
    if word.isupper():
        return len(word) > 1   # an acronym: "МИД", "ВСУ", "США"
    if word[0].isupper():   # "Кремля", "России"; not a name in the nominative ("Песков"), nor the second of two names
        return (word.endswith(_GENITIVE_ENDS) and not word.endswith(_GENITIVE_PLURAL_ENDS)
                and not (before[:1].isupper() and not before.isupper() and before not in _TITLES_CYRILLIC))
    return ((word.endswith(_GENITIVE_ENDS) or word.endswith(_GENITIVE_PLURAL_ENDS) or word in _GENITIVE_BARE)
            and word not in _NOT_COMPLEMENTS and not _past_cyrillic(word))


def _complemented_title(text: str, s: int, e: int) -> bool:
    """Whether the line ``text[s:e]`` ends in a title and its complement, up to three words (``_complement``:
    "... заявил пресс-секретарь Кремля", "... глава МИД России"), a lower-case word other than a title before it on
    the line (not a caption or a signature, "Министр обороны" or "Первый заместитель министра обороны" over "Сергей
    Шойгу", nor a heading, "Заявление министра обороны" over "Сергей Шойгу в понедельник заявил ...")."""
    item = _HEADING_OR_ITEM.match(text, s, e)   # "- Министр обороны" is a line opening with its title too
    s = item.end() if item else s
    start = max(s, e - 160)
    words = text[start:e].split()
    k = len(words) - 1
    while k >= 0 and len(words) - k <= 3 and _complement(words[k], words[k - 1] if k else ""):
        k -= 1
    return (0 <= k < len(words) - 1 and words[k] in _TITLES_CYRILLIC
            and (start > s or any(w[0].islower() and w not in _TITLES_CYRILLIC and not w.startswith(_DEPUTY)
                                  for w in words[:k])))


def _past_cyrillic(word: str) -> bool:
    """Whether ``word`` reads as a Russian or Ukrainian verb in the past ("погибли", "убил", "загинула", and a Ukrainian
    masculine's "втратив", "вбив", "випустив", a Russian gerund's "потеряв"): lower-case Cyrillic of four letters or more
    ending in "л", "ла", "ло" or "ли", or in "ив", "ав", "яв" or "ув", not a noun (``_NOT_PAST``: "недели", "держав")."""
    return (len(word) >= 4 and word[-1] in "лаоив" and "а" <= word[0] <= "я"
            and (word[-1] == "л" or word[-2] == "л" if word[-1] != "в" else word[-2] in "иаяу")
            and word.isalpha() and word.islower() and word not in _NOT_PAST)


def _initial_after_name(text: str, s: int, w: int) -> bool:
    """Whether the word before ``w`` in the line starting at ``s`` is a name or an initial ("Vladimir", "В.")."""
    p = _last_word(text, s, w - 1)
    return p < w - 1 and text[p].isupper() and (text[w - 2] == "." or text[p:w - 1].isalpha())


def _before_titles(text: str, s: int, e: int) -> str | None:
    """The word before the titles that end the line ``text[s:e]`` ("met" in "... met Prime Minister"), or None
    when the line is titles alone."""
    words = text[max(s, e - 80):e].split()
    k = len(words) - 1
    while k >= 0 and words[k] in _NAME_TITLES:
        k -= 1
    return words[k] if k >= 0 else None


def _title_case(text: str, s: int, e: int, least: int = 2) -> bool:
    """Whether the words of ``text[s:e]`` after its first, but for words that are lower case in a title
    (``_OPEN_WORDS``), are capitalised, and at least ``least`` of them: a heading ("Who We Work with"), or
    with ``least=1`` and the first word counted, a name (", Peskov said")."""
    words = text[s:e].split()
    if least == 1:
        words = [""] + words
    content = [w for w in words[1:] if w.lower() not in _OPEN_WORDS]
    return len(content) >= least and all(w[:1].isupper() for w in content)


def _number_next(text: str, s: int, e: int) -> bool:
    """Whether the line ``text[s:e]`` ends in an abbreviation a number follows ("resolution No.", "Art.",
    "on Jan."), before which no sentence ends within a line either: read before a line opening with a digit."""
    word = text[_last_word(text, s, e):e - 1].lstrip(_OPENERS)
    return word.lower() in _BEFORE_NUMBER


def _sentences(text: str, ps: int, pe: int, out: list[tuple[int, int]]) -> None:
    """Append the sentence spans of the paragraph ``text[ps:pe]`` (already stripped) to ``out``."""
    cuts = _list_cuts(text, ps, pe)
    quotes = text.find('"', ps, pe) >= 0 or text.find("“", ps, pe) >= 0
    cut_i = 0
    cur = ps
    for m in _END.finditer(text, ps, pe):
        a = m.start()
        if cuts:
            while cut_i < len(cuts) and cuts[cut_i] <= a:
                cur = _cut_before(text, cur, cuts[cut_i], out)
                cut_i += 1
        b = m.end()
        c = text[b]
        if c in _OPENERS:
            c = _after_openers(text, b)
        if c.islower():
            continue
        t, closers = m.groups()
        if b == a + 1 and (not _GLUED_NEXT.match(text, b, pe) or not _plain_token(text, cur, a)):
            continue
        if t == "." and not closers:
            # The common case, kept inline for speed: a period after an ordinary word.
            word = text[max(text.rfind(" ", cur, a) + 1, cur) : a]
            if not word.isprintable():
                word = word.split()[-1] if word.split() else ""
            word = word.lstrip(_OPENERS)
            if len(word) > 1 and a - cur > 8 and "." not in word and not c.isdigit():
                is_end = word.lower() not in _PREPOSITIVE
            else:
                is_end = _period_ends(text, a, c, cur, word)
        else:
            is_end = _marks_end(text, t, closers, a, cur, ps)
        if is_end and not (quotes and _in_embedded_quote(text, cur, a, pe)):
            out.append((cur, m.end(2)))
            cur = b
    while cut_i < len(cuts):
        cur = _cut_before(text, cur, cuts[cut_i], out)
        cut_i += 1
    if cur < pe:
        out.append((cur, pe))


def _in_embedded_quote(text: str, cur: int, a: int, pe: int) -> bool:
    """Whether ``a`` lies inside a double quotation that closes mid-sentence ('"Stop. Now." and left')."""
    if text.count('"', cur, a) % 2:
        close = text.find('"', a, min(pe, a + _QUOTE_MAX))
    elif text.count("“", cur, a) > text.count("”", cur, a):
        close = text.find("”", a, min(pe, a + _QUOTE_MAX))
    else:
        return False
    if close < 0:
        return False
    after = _AFTER_QUOTE.match(text, close + 1, pe)
    return after is not None and (after.group(1) in ",;:" or after.group(1).islower())


def _plain_token(text: str, cur: int, a: int) -> bool:
    """Whether the token ending at ``a`` is a word or number, not part of an address or a path."""
    token = text[max(text.rfind(" ", cur, a) + 1, cur) : a]
    return token.isprintable() and not any(ch in token for ch in "@/\\.:_=")


def _after_openers(text: str, b: int) -> str:
    """The first character after the opening quotes and brackets at ``b``."""
    n = len(text)
    while b < n - 1 and text[b] in _OPENERS:
        b += 1
    return text[b]


def _cut_before(text: str, cur: int, pos: int, out: list[tuple[int, int]]) -> int:
    """End the current sentence before ``pos`` (a list marker or bullet) unless it is empty."""
    e = pos
    while e > cur and text[e - 1].isspace():
        e -= 1
    if e > cur:
        out.append((cur, e))
    return pos if pos > cur else cur


def _list_cuts(text: str, ps: int, pe: int) -> list[int]:
    """Starts of the items of an inline list ("1) a 2) b", "a. x b. y", "• x • y") after the first."""
    cuts: list[int] = []
    if text[ps] in _BULLETS or text.find("•", ps, pe) >= 0:
        cuts = [m.start() for m in _BULLET.finditer(text, ps, pe)]
    m = _LIST_START.match(text, ps, pe)
    if m:
        label, style = m.group(1), m.group(2)
        expected = _next_labels(label)
        for item in _LIST_ITEM[style].finditer(text, m.end(), pe):
            if item.group(1) in expected:
                cuts.append(item.start())
                expected = _next_labels(item.group(1))
        cuts = sorted(set(cuts))
    return cuts


# Letters in a Russian and a Ukrainian list's order (a Russian list skips "ё", "й", "ъ", "ы", "ь")
_LABEL_ORDERS = ("абвгдежзиклмнопрстуфхцчшщэюя", "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя")


def _next_labels(label: str) -> tuple[str, ...]:
    """The labels that may follow ``label`` in a list: "2" after "1", "b" after "a", "б" after "а", "і" (Ukrainian)
    or "к" (Russian) after "и"."""
    if label.isdigit():
        return (str(int(label) + 1),)
    if label.isascii():
        return (chr(ord(label) + 1),)
    return tuple(order[k + 1] for order in _LABEL_ORDERS if 0 <= (k := order.find(label)) < len(order) - 1)


def _marks_end(text: str, t: str, closers: str, a: int, cur: int, ps: int) -> bool:
    """Whether the end marks ``t`` at ``a`` (with ``closers`` after) end a sentence; not a lone period."""
    if t == ".":
        # "1.)" or "a.)" opening an item is a marker, not a sentence.
        return not _MARKER_ONLY.fullmatch(text, cur, a)
    if "." not in t:  # ! ? and their doubles
        return True
    if t[0] == "." and a > ps and text[a - 1] == "[":
        return False  # "[...]" marks an omission inside a quotation
    if " " in t:
        # ". . ." between words is an omission; ". . . ." (or "word. . . .") ends a sentence.
        return t.count(".") >= 4 or (t.count(".") == 3 and a > ps and not text[a - 1].isspace())
    return True  # "...", "…", "....", "?!.."


def _period_ends(text: str, a: int, c: str, cur: int, word: str) -> bool:
    """Whether the period at ``a`` after ``word``, followed by a word starting with ``c``, ends a sentence."""
    if not word:
        return True
    key = word.lower()
    if key in _PREPOSITIVE:
        return False
    if a - cur <= 8 and _MARKER_ONLY.fullmatch(text, cur, a):
        return False  # "1." or "a." opening a list item
    if c.isdigit():
        return key not in _ABBREVIATIONS and len(word) > 1
    if len(word) == 1:
        if word == "I":  # the pronoun ends "you and I."; an initial follows a name: "Albert I."
            prev = text[max(cur, a - 40) : a].split()
            return len(prev) >= 2 and not prev[-2][:1].isupper()
        return not word.isalpha()
    if "." in word and _INITIALS.fullmatch(word):
        if key in _NEVER_END:
            return False
        k = a + 1
        while text[k].isspace():
            k += 1
        e = k
        while e < len(text) and text[e].isalpha():
            e += 1
        following = text[k:e]
        if key in ("a.m", "p.m"):
            # "At 5 a.m. Mr. Smith went": an opening time phrase; "left at 6 P.M. Mr. Smith": an end;
            # "at 3 p.m. Eastern time": a time zone.
            return len(text[cur : min(a, cur + 80)].split()) > 3 and (
                following in _STARTERS or following.lower() in _PREPOSITIVE
            )
        return following in _STARTERS
    return True
