"""Per-language word lists for English, French, German and Spanish (lower case).

Used by the faithfulness guard (numbers, dates, negations must agree with the sources), by the
number reader and by the extractive summarizer (stop words). Each table maps a language code to its
words; ``ALL_*`` merge the four languages for text whose language is unknown.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "de", "es")

# Stop words for concepts and summaries (the extractive summarizer's lists: function words and reporting verbs)
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("""a about above after again against all also am an and any are aren't as at be because been
        before being below between both but by can could did do does doing down during each few for from further
        had has have having he her here hers herself him himself his how i if in into is it it's its itself just
        me more most my myself no nor not now of off on once only or other our ours ourselves out over own same
        she should so some such than that the their theirs them themselves then there these they this those
        through to too under until up very was we were what when where which while who whom why will with would
        you your yours yourself yourselves said says say told mr mrs ms one two also would could may might new
        year years last first since still even much many like get got make made""".split()),
    "fr": frozenset("""au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur
        leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur
        ta te tes toi ton tu un une vos votre vous c d j l à m n s t y été être avoir a ont est sont était fait
        plus comme aussi dont tout tous toute toutes très sans sous entre après avant selon encore déjà si
        cela ceci ça lors depuis chez alors ainsi deux an ans année dit déclaré""".split()),
    "de": frozenset("""aber als am an auch auf aus bei bin bis bist da damit dann das dass dein deine dem den der
        des dich die dies diese diesem diesen dieser dir doch dort du durch ein eine einem einen einer eines er es
        euer eure für hatte hatten hier hin ich ihm ihn ihr ihre im in ist ja jede jedem jeden jeder jetzt kann
        kein keine mein meine mich mir mit muss nach nicht noch nun nur ob oder ohne sehr sein seine sich sie
        sind so über um und uns unser unter vom von vor war waren was weil wenn wer wie wir wird wo zu zum zur
        wurde wurden werden hat haben sagte sagt schon mehr zwei jahr jahre""".split()),
    "es": frozenset("""a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante
        e el ella ellas ellos en entre era es esa esas ese eso esos esta estas este esto estos fue fueron ha han
        hasta la las le les lo los más me mi mis mucho muy ni no nos o os otra otras otro otros para pero poco
        por porque que quien se ser si sin sobre su sus también tan te tiene tienen todo todos tu un una uno
        unos y ya yo está están sido dijo dos año años según""".split()),
}


MONTHS: dict[str, dict[str, int]] = {
    "en": {"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
           "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
           "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12},
    "fr": {"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
           "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12},
    "de": {"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5, "juni": 6,
           "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12},
    "es": {"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
           "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12},
}
WEEKDAYS: dict[str, dict[str, int]] = {
    "en": {"monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3, "thursday": 4,
           "thu": 4, "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sat": 6, "sunday": 7, "sun": 7},
    "fr": {"lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6, "dimanche": 7},
    "de": {"montag": 1, "dienstag": 2, "mittwoch": 3, "donnerstag": 4, "freitag": 5, "samstag": 6,
           "sonnabend": 6, "sonntag": 7},
    "es": {"lunes": 1, "martes": 2, "miércoles": 3, "miercoles": 3, "jueves": 4, "viernes": 5, "sábado": 6,
           "sabado": 6, "domingo": 7},
}
# words that are also ordinary words or names: a date only when capitalised, and not when they open a sentence
AMBIGUOUS_DATES = frozenset({"may", "mar", "sun", "sat", "mon", "wed", "dec", "jan", "jun", "jul", "aug", "sep",
                             "oct", "nov", "feb", "apr", "tue", "tues", "thu", "thurs", "fri", "sept", "mai",
                             "mars", "august", "domingo"})

NEGATIONS: dict[str, frozenset[str]] = {
    "en": frozenset("not no never none nobody nothing neither nor without cannot n't".split()),
    # "ne ... pas": the second part carries the negation ("ne" alone is also the expletive "ne")
    "fr": frozenset("pas jamais aucun aucune rien nullement sans ni".split()),
    "de": frozenset("nicht kein keine keinen keinem keiner keines nie niemals nichts niemand ohne weder".split()),
    "es": frozenset("no nunca jamás jamas ningún ningun ninguno ninguna nada nadie tampoco sin ni".split()),
}

# number words: units (1-19 and "dozen"), tens, and scale words with their value
UNITS: dict[str, dict[str, int]] = {
    "en": {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
           "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "dozen": 12},
    "fr": {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
           "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
           "seize": 16, "douzaine": 12},
    "de": {"null": 0, "ein": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1, "eins": 1, "zwei": 2, "drei": 3,
           "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
           "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14,
           "fünfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "dutzend": 12},
    "es": {"cero": 0, "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
           "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
           "dieciséis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "docena": 12},
}
TENS: dict[str, dict[str, int]] = {
    "en": {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
           "ninety": 90},
    "fr": {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "septante": 70,
           "huitante": 80, "nonante": 90},
    "de": {"zwanzig": 20, "dreißig": 30, "dreissig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60,
           "siebzig": 70, "achtzig": 80, "neunzig": 90},
    "es": {"veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
           "ochenta": 80, "noventa": 90},
}
SCALES: dict[str, dict[str, float]] = {
    "en": {"hundred": 100, "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6,
           "mln": 1e6, "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12},
    "fr": {"cent": 100, "cents": 100, "mille": 1e3, "million": 1e6, "millions": 1e6, "md": 1e9, "mds": 1e9,
           "milliard": 1e9, "milliards": 1e9, "billion": 1e12, "billions": 1e12},
    # German "Billion" is a million millions
    "de": {"hundert": 100, "tausend": 1e3, "tsd": 1e3, "mio": 1e6, "million": 1e6, "millionen": 1e6,
           "mrd": 1e9, "milliarde": 1e9, "milliarden": 1e9, "billion": 1e12, "billionen": 1e12},
    # Spanish "mil millones" is a thousand millions; "billón" a million millions
    "es": {"cien": 100, "ciento": 100, "cientos": 100, "mil": 1e3, "millón": 1e6, "millon": 1e6,
           "millones": 1e6, "mil millones": 1e9, "millardo": 1e9, "millardos": 1e9, "billón": 1e12,
           "billon": 1e12, "billones": 1e12},
}
PERCENT = ("%", "per cent", "percent", "pc", "pour cent", "prozent", "por ciento")

ALL_MONTHS: dict[str, int] = {w: n for table in MONTHS.values() for w, n in table.items()}
ALL_WEEKDAYS: dict[str, int] = {w: n for table in WEEKDAYS.values() for w, n in table.items()}
ALL_NEGATIONS: frozenset[str] = frozenset().union(*NEGATIONS.values())


def for_language(table: dict[str, dict], language: str | None) -> dict:
    """The ``language`` entry of a per-language table; all four merged (English first wins) if unknown."""
    if language in table:
        return table[language]
    merged: dict = {}
    for lang in reversed(LANGUAGES):
        merged.update(table[lang])
    merged.update(table["en"])
    return merged
