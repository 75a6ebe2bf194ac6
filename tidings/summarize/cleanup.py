"""Cleanup of candidate summary sentences.

Two jobs, both pure functions:

* :func:`strip_sentence` removes what is not part of the sentence proper and may
  be cut without changing its meaning: a leading dateline ("PARIS (Reuters) —",
  "WASHINGTON (AP) --"), a leading byline, a trailing "Read more" or photo
  credit. Nothing else of the text is ever changed, so quotes stay verbatim.
* :func:`reject_reason` says why a sentence must not be used in a summary
  (boilerplate, a caption, a question, a quoted question, unbalanced quotes,
  too short or long, or one that needs context it does not carry: "He said
  ...", "He has ...", "Their ...", "Other countries ...", "This ...",
  "But ...", a claim that points back with "that claim" / "the move", a
  teaser such as "X had a week of contrasts.", a quotation whose speaker
  is named only in another sentence), or ``None`` when it may be
  used. A line with no closing punctuation is a heading (a headline or a
  subhead pasted into the text), never a sentence.
"""

from __future__ import annotations

import re

MIN_WORDS = 6
MAX_WORDS = 60

# "PARIS (Reuters) — ", "WASHINGTON (AP) -- ", "LONDON, March 3 (Reuters) - ", "BERLIN — ", "Paris, 3 mars (AFP) - ",
# "BEIJING (AP) _ "
_DATELINE = re.compile(
    r"^\s*(?:"
    # "PARIS (Reuters)", "BERLIN, Jan. 3"
    r"[A-ZÀ-Ý][A-ZÀ-Ý.'’\- ]{1,40}(?:,\s*[\w.'’ ]{1,40}?)?\s*(?:\([\w&.'’ /-]{1,30}\))?"
    r"|[A-ZÀ-Ý][\w.'’\- ]{1,30}(?:,\s*[\w.'’ ]{1,40}?)?\s*"
    r"\((?:AP|AFP|Reuters|dpa|EFE|ANSA|Xinhua|UPI|Bloomberg|PA|[A-Z][\w.]{1,20})\)"
    r")\s*(?:--|—|–|-|:|_)\s+"  # "_" is the dash of the AP and New York Times wires
)
_AGENCY_ONLY = re.compile(r"^\s*\((?:AP|AFP|Reuters|dpa|EFE|ANSA|Xinhua|UPI|Bloomberg|PA)\)\s*(?:--|—|–|-)?\s*")
_BYLINE = re.compile(r"^\s*(?:By|Par|Von|Por)\s+[A-ZÀ-Ý][\w.'’\-]+"
                     r"(?:\s+(?:[A-ZÀ-Ý][\w.'’\-]+|and|et|und|y|de|van|von))*"
                     r"(?:\s*,\s*[A-Z][\w ]{0,40})?\s*(?:--|—|–|-|\||\n)\s*")
_TRAILING_JUNK = re.compile(
    r"\s*(?:\(?(?:Photo|Image|Picture|Foto|Crédit photo|Credit|Photograph|Video)\s*:[^)]*\)?"
    r"|(?:Read more|Read More|READ MORE|Lire aussi|Lire la suite|Weiterlesen|Leer más|Continue reading)\b.*"
    r"|\[[^\]]*\]|\((?:AP|AFP|Reuters|dpa|EFE)\)|\bSubscribe\b.*)\s*$"
)
_BOILERPLATE = re.compile(
    r"(?i)\b(?:click here|read more|subscribe|sign up|newsletter|all rights reserved|copyright\s*(?:©|\(c\)|\d{4})|©|"
    r"follow us|share this|cookies?\b|advertisement\s*$|related articles?|related:|getty images|"
    r"photo credit|photograph:|image:|picture:|video:|watch:|listen:|lire aussi|abonnez|inscrivez|"
    r"weiterlesen|abonnieren|leer más|suscríbete|this article was|originally published|"
    r"contributed to this report|reporting by|editing by|write to .* at)"
)
_CAPTION = re.compile(r"(?i)^(?:\(?(?:photo|image|picture|file photo|pictured|above|below|left|right|top)\b[):,]|"
                      r"[A-Z][\w ]+/(?:AP|AFP|Reuters|Getty Images?|EPA|Shutterstock)\b)")
# wire-service slugs and editing notes: "2nd graf pvs", "(MORE)", "UPDATES with ...", "Eds:"
_WIRE_JUNK = re.compile(r"(?i)\b(?:\d+(?:st|nd|rd|th) (?:graf|par|para)|grafs?\b|pvs\b|\(more\)|eds?:|"
                        r"updates with|adds? (?:quote|byline|details)|rptg|\(end\))")
_URL = re.compile(r"https?://|www\.|@\w{2,}|#\w{2,}")
# sentences that cannot stand alone: they point back to something not in the summary
# (a pronoun subject or possessive, "He has instructed ...", "Their lawyers ...", names someone named in a
# sentence the summary does not carry; "Other countries ..." and "Another ..." point back too; French "Il" is
# left out: "Il y a", "Il faut")
_NEEDS_CONTEXT = re.compile(
    r"^(?:[\"“«]\s*)?(?:"
    r"(?:He|She|They|His|Her|Their|Them|Him|Other|Another|Elle|Ils|Elles|Er|Ihre?|Ella|Ellos|Ellas)(?=\s)|"
    r"(?:It|We|I)\s+(?:said|says|added|adds|told|noted|explained)\b|"
    r"(?:This|That|These|Those|Such|It|Its|Also|But|And|Or|So|Yet|However|Still|Instead|Meanwhile|"
    r"Moreover|Furthermore|Besides|Nevertheless|Nonetheless|Otherwise|Then|Thus|Therefore|Hence|"
    r"Later|Earlier|Afterwards|Similarly|Likewise|Indeed|Again|Even so|In addition|In turn|"
    r"As a result|On the other hand|Mais|Et|Cependant|Pourtant|Ainsi|Aussi|Ce|Cela|Ceci|Il a|"
    r"Aber|Und|Doch|Jedoch|Dies|Das (?:ist|war|sei|wäre)|Sie sagte|Pero|Y|Sin embargo|Esto|Eso)\b)"
)
# a question inside a quotation ("``... to discontinue the medication?'' asked Dr. Hyman."): like any
# question, it reports nothing, whoever asks it
_QUOTED_QUESTION = re.compile(r"\?\s*(?:\"|”|»|’|'')")
# a demonstrative pointing back at something said before: "examining that claim", "this decision", "the move"
_BACK_NOUNS = ("claim|decision|move|deal|ruling|report|plan|figure|number|statement|argument|view|idea|approach|"
               "step|change|proposal|agreement|finding|conclusion|question|issue|problem|point|assessment|"
               "estimate|criticism|accusation|allegation|announcement|development|effort|concern|warning|"
               "comment|remark|charge|demand|request|offer|version|account|stance|position")
_ANAPHORA = re.compile(
    rf"(?i)\b(?:(?:this|that)\s+(?:{_BACK_NOUNS})\b"  # "examining that claim" ("said that claims ..." is not one)
    rf"|(?:these|those|such)\s+(?:{_BACK_NOUNS})s\b"
    r"|the (?:move|latter|former)\b"
    r"|\b(?:do|does|did|doing|done) so\b"  # "said they would do so": do what?
    # "will decide then whether ...", "The robot then sews ...": then after what? ("if ... then" and
    # "then-president" stand alone); "The space goes instead to ...": instead of what?
    r"|^(?!.*\bif\b.*\bthen\b).*\bthen\b(?!-)|\binstead\b(?!\s+of\b))"
)
# a pronoun subject right after an opening phrase: "Read closely, it makes ...", "On Friday, he said ..."
_LATE_PRONOUN = re.compile(r"^[^,;:\"“«]{1,40},\s+(?:it|he|she|they|il|elle|ils|elles|er|sie|es)\s")
# a teaser that sets up a story without reporting anything: "Lumen Labs had a week of contrasts."
_TEASER = re.compile(r"(?i)\b(?:had|has had|is having|was having) an? (?:week|day|month|year|season) of\b|"
                     r"\b(?:a tale of two|it was a (?:week|day|month|year)\b|what a (?:week|day|month|year)\b)|"
                     r"\blooks?, at first (?:sight|glance),")  # "The claim looks, at first sight, like many others."
# the writer's own voice outside a quotation ("We spent an afternoon at the lab", "our tests"): in a
# summary it would read as Tidings speaking, or put the outlet's experience in nobody's mouth
_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]ur|[Oo]urs|us|[Nn]ous|[Nn]otre|[Ww]ir|"
                           r"[Uu]ns(?:er|ere|erem|eren|erer|eres)?|"
                           r"[Nn]osotros|[Nn]uestr[oa]s?|[Nn]oi|[Nn]ostr[oaie])\b")
# a sentence that is all quotation: the speaker was named in an earlier sentence
_BARE_QUOTE = re.compile(r"^(?:\"|“|«|„|``)[^\"“”«»„]*[.!?…]\s*(?:\"|”|»|“|'')$|^‘[^‘]*[.!?…]’$")
# closing punctuation a sentence must end with (then closing quotes or brackets)
_TERMINAL = re.compile(r"[.!?…](?:[\"”’»)\]'`]|'')*$")
_QUOTE_PAIRS = (("“", "”"), ("«", "»"), ("„", "“"), ("``", "''"))


def strip_sentence(sentence: str) -> str:
    """Cut a leading dateline or byline and trailing junk; the rest is returned untouched."""
    text = sentence.strip()
    if text.startswith("_ "):  # wire paragraph mark
        text = text[2:].lstrip()
    for pattern in (_BYLINE, _DATELINE, _AGENCY_ONLY):
        match = pattern.match(text)
        if match and match.end() < len(text):
            rest = text[match.end():]
            if rest[:1].isupper() or rest[:1] in "\"“«'`":
                text = rest
    previous = None
    while previous != text:
        previous = text
        match = _TRAILING_JUNK.search(text)
        if match and match.start() > 0:
            text = text[: match.start()].rstrip()
    return text


def _quotes_balanced(text: str) -> bool:
    rest = text
    for opening, closing in _QUOTE_PAIRS:
        if opening == closing:
            continue
        if opening == "„":
            # German „...“ closes with “, which is also the English opening mark
            continue
        if rest.count(opening) != rest.count(closing):
            return False
    if "„" in rest and rest.count("„") != rest.count("“") - rest.count("”") and rest.count("„") > rest.count("“"):
        return False
    return rest.count('"') % 2 == 0


def word_count(text: str) -> int:
    return len(text.split())


def reject_reason(sentence: str, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> str | None:
    """Why ``sentence`` (already stripped) may not go into a summary, or ``None``."""
    text = sentence.strip()
    if not text:
        return "empty"
    words = word_count(text)
    if words < min_words:
        return "too short"
    if words > max_words:
        return "too long"
    if (text.rstrip("\"”»’')] ").endswith("?") or text.startswith(("¿",))
            or _QUOTED_QUESTION.search(text)):
        return "question"
    if text.rstrip().endswith(":"):
        return "introduces something not included"
    if not text[0].isupper() and text[0] not in "\"“«„‘'`(0123456789":
        return "starts mid-sentence"
    if _URL.search(text):
        return "link or handle"
    if _WIRE_JUNK.search(text):
        return "wire slug"
    if _BOILERPLATE.search(text):
        return "boilerplate"
    if _CAPTION.search(text):
        return "caption"
    if not _quotes_balanced(text):
        return "unbalanced quotes"
    if not _TERMINAL.search(text):
        return "heading"
    if (_NEEDS_CONTEXT.match(text) or _LATE_PRONOUN.match(text) or _ANAPHORA.search(text)
            or _TEASER.search(text)):
        return "needs context"
    if _BARE_QUOTE.match(text):
        return "quote without its speaker"
    if _FIRST_PERSON.search(_SINGLE_QUOTED.sub(" ", _QUOTED.sub(" ", text))):
        return "the writer's own voice"
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return "all caps"
    return None


# ---------------------------------------------------------------- compression
#
# :func:`compress_sentence` drops asides that a summary can do without, so that a fixed word budget holds
# more of what the story reports. Every rule deletes a whole span and changes nothing else (but the
# capital of a new first word): no quotation is touched, no attribution ("..., officials said") and no
# span with a negation is dropped, and what remains is still a sentence. English only.

COMPRESSION_RULES = ("dash", "paren", "age", "connective", "relative", "appositive", "trailing")

_SINGLE_QUOTED = re.compile(r"‘[^‘]*’|(?<!\w)'[^']*'(?!\w)")  # British style: ‘We will stay,’ he said.
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»|``.*?''|„[^“]*“")
_NEGATION = re.compile(r"(?i)\b(?:not|no|never|nor|none|nobody|nothing|without|n't|neither|cannot)\b|n't\b|n’t\b")
_SAYS = re.compile(r"(?i)\b(?:said|says|say|told|according|added|stated|claimed|quoted)\b")
# "_ the youngest of whom are in their teens _", "-- as expected --", "— and others —"
_DASH_ASIDE = re.compile(r"\s+(?:_|--|—|–)\s+[^_—–]*?\s+(?:_|--|—|–)(?=\s)")
# a short parenthesis: "(PORT)", "(147.4 feet)", "(R-Texas)"
_PAREN = re.compile(r"\s*\((?=[^()]*\))[^()]{1,60}\)")
# an age after a name: "Schulz, 77, died ..."
_AGE = re.compile(r"(?<=[a-z]), \d{1,3},(?= [a-z])")
# a leading connective that only ties the sentence to the one before it
_CONNECTIVE = re.compile(
    r"^(?:Meanwhile|In a related development|In another development|In other developments|Separately|"
    r"In addition|Additionally|Moreover|Furthermore|Also|Besides|However|Still|Nevertheless|Nonetheless|"
    r"Indeed|In fact|Now|Today|Earlier today|Later|Earlier|On (?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)|(?:Last|This|Next) (?:week|month|year))\s*,\s+(?=[\w\"“`])"
)
# a non-restrictive relative clause in the middle of a sentence: "Schizophrenia, which ... , affects ..."
# (not when the comma that closes it could be a list's: "..., delusions, and withdrawal, affects")
_RELATIVE = re.compile(r",\s+(?:who|which|whose)\s+[^,;:\"“”`'()]{3,120}?,(?=\s+[a-z])(?![^,]*,\s+(?:and|or)\b)")
# a relative clause that ends the sentence: "... in the Chuanxi Forest Area, which covers 4.6 million hectares."
_TRAILING = re.compile(r"(?<=\w),\s+(?:which|who|whose)\s+[^,;:\"“”`'()]{3,150}?(?=[.!]$)")
# an appositive after a name: "McGorry, the director of the Australian study, said ..."
_APPOSITIVE = re.compile(r"\b[A-Z][\w.'’-]*[a-z](?P<drop>,\s+(?:the|a|an)\s+[^,;:\"“”`'()]{3,80}?,)(?=\s+[a-z])"
                         r"(?![^,]*,\s+(?:and|or)\b)")


# what comes right after a dropped modifier of the subject must be the verb: "Reno, who ..., has not decided"
# (not "Kramer, who ..., the ACC said", where the comma is the attribution's, nor a list going on)
_VERB_NEXT = re.compile(
    r"\s+(?:also\s+|still\s+|now\s+|then\s+|later\s+|already\s+)?(?:is|are|was|were|has|have|had|will|would|can|"
    r"could|may|might|must|should|shall|does|did|do|said|says|told|[a-z]+ed|[a-z]{2,}[^s]s)\b")


def _subject_before(prefix: str) -> bool:
    """``prefix`` may be the whole subject that a dropped modifier followed: short, with no comma (so that
    the modifier's closing comma is not that of an earlier phrase: "The commander, Brown, a veteran, said")."""
    return "," not in prefix and len(prefix.split()) <= 8


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTED.finditer(text)]


def _drop(text: str, pattern: re.Pattern[str], replacement: str = "", verb_next: bool = False) -> str:
    """Delete every match of ``pattern`` that touches no quotation and holds no negation or attribution
    (and, with ``verb_next``, is followed by a verb)."""
    quoted = _quoted_spans(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        group = "drop" if "drop" in pattern.groupindex else 0
        start, end = match.span(group)
        span = match.group(group)
        if any(start < qe and qs < end for qs, qe in quoted) or _NEGATION.search(span) or _SAYS.search(span):
            continue
        if verb_next and (not _VERB_NEXT.match(text, end) or not _subject_before(text[:start])):
            continue
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def compress_sentence(sentence: str, language: str | None = "en",
                      rules: tuple[str, ...] = COMPRESSION_RULES) -> str:
    """``sentence`` without the asides named in ``rules`` (see :data:`COMPRESSION_RULES`); unchanged for a
    language other than English, or when what would remain is not a sentence any more."""
    if (language or "en")[:2] != "en" or not rules:
        return sentence
    text = sentence
    if "connective" in rules:
        match = _CONNECTIVE.match(text)
        if match and not any(qs < match.end() for qs, _ in _quoted_spans(text)):
            rest = text[match.end():]
            text = rest[:1].upper() + rest[1:]
    if "dash" in rules:
        text = _drop(text, _DASH_ASIDE)
    if "paren" in rules:
        text = _drop(text, _PAREN)
    if "age" in rules:
        text = _drop(text, _AGE)
    if "relative" in rules:
        text = _drop(text, _RELATIVE, verb_next=True)
    if "appositive" in rules:
        text = _drop(text, _APPOSITIVE, verb_next=True)
    if "trailing" in rules and word_count(text) > 12:
        text = _drop(text, _TRAILING)
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split()))
    if text == sentence or word_count(text) < 4 or not _TERMINAL.search(text):
        return sentence
    return text

