"""What around a name the models found says it is not all a person's
name: a rank, office or form of address at its start ("KASAU Komodor
Udara Suryadi Suryadarma", "Ustadz Syamsi Dukha"), an academic degree
standing alone after a comma ("Soedarto , SH"). A published rank names
nobody; a published name is the leak this work exists to stop, so each
rule is narrow.

Titles of songs and films in quotes were tried too (13 of the accurate
profile's 56 wrong PERSON words on NERGrit's tune half) and dropped: on
the report half they fixed no wrong word and lost a role's name in quotes
("film : sebagai " Sara ""), and on the tune half an album named after
its singer.
"""

from __future__ import annotations

import re

from .indonesia.names import HONORIFICS


# Ranks, offices and titles that stand at the start of a name the models
# found without being part of it. Air force, navy and police ranks carry a
# qualifier ("Komodor Udara", "Marsekal Muda"), dropped with them.
RANKS = frozenset(
    "jenderal jendral letjen mayjen brigjen letnan kolonel letkol mayor kapten lettu letda serma serka sertu "
    "serda sersan kopral kopka koptu kopda prajurit pratu prada laksamana laksdya laksda laksma marsekal "
    "marsdya marsda marsma komodor opsir kombes akbp kompol akp iptu ipda aiptu aipda bripka brigpol briptu "
    "bripda irjen komjen".split()
)
_RANK_QUALIFIERS = frozenset("udara laut darat muda madya pertama utama".split())
OFFICES = frozenset(
    "kasau kasad kasal ksau ksad ksal kapolri kapolda kapolres kapolsek wakapolri danramil dandim danrem "
    "pangdam kasdam pangkostrad panglima".split()
)
DEGREES = frozenset("sh se st mm mh mpd spd skom ssos drs dra ir msi mt mkes skm amd".split())
# Religious titles before a name ("Ustadz Syamsi Dukha", "Haji Ahmad"),
# with the forms of address of HONORIFICS: the e5 head's spans already
# start after those (presidio_text.E5NameRecognizer); the spaCy models'
# spans too, here.
RELIGIOUS_TITLES = frozenset("haji hajjah hajah ustad ustaz ustadz kiai kyai nyai".split())
_HONORIFIC = re.compile(rf"(?:{HONORIFICS})")
_WORD = re.compile(r"[^\W_][\w'\u2019.-]*")


def without_leading_titles(text: str, start: int, end: int) -> int:
    """Where a capitalised name found by a model begins once ranks, offices
    and forms of address at its start are left out ("KASAU Komodor Udara
    Suryadi Suryadarma" -> "Suryadi Suryadarma", "Ustadz Syamsi Dukha" ->
    "Syamsi Dukha"). Only while a capitalised word remains after them: a
    span that is all rank is left as it was. A lower-case word is never
    dropped here: in cased text it is a particle of the name ("Minamoto no
    Yoritomo")."""
    words = [m for m in _WORD.finditer(text, start, end)]
    first = 0
    after_rank = False
    while first < len(words) - 1:
        written = words[first].group(0)
        word = written.rstrip(".").casefold()
        if _HONORIFIC.fullmatch(written) or word in RELIGIOUS_TITLES:
            after_rank = False
        elif word in RANKS or word in OFFICES or (after_rank and word in _RANK_QUALIFIERS):
            after_rank = word in RANKS or (after_rank and word in _RANK_QUALIFIERS)
        else:
            break
        first += 1
    if first == 0 or not words[first].group(0)[0].isupper():
        return start
    return words[first].start()


def lone_degree(text: str, start: int, end: int) -> bool:
    """A span that is only an academic degree written after a name and a
    comma ("Soedarto , SH ( alm )")."""
    words = [m.group(0).replace(".", "").casefold() for m in _WORD.finditer(text, start, end)]
    return bool(words) and all(word in DEGREES for word in words) and text[:start].rstrip().endswith(",")


# Given names that are also everyday words ("putri", daughter; "ayu",
# pretty; "bunga", flower). In lower-case text the models leave such a
# first name out of the name they find ("laporan kasus: putri ayu
# lestari" gave "ayu lestari", and "putri" was published beside it); one
# of these right before a name found in lower case joins it. Only there:
# alone they are words.
FIRST_NAME_WORDS = frozenset(
    "putri putra ayu dewi sri indah bunga intan mawar melati cahaya bayu bintang fajar surya rizki rezeki "
    "bagus agung mulia budi adi jaya nur cinta kasih sari rahayu lestari wulan bulan embun pelangi mentari "
    "langit tirta dian eka dwi tri citra pertiwi kartika purnama senja damai ratna permata mutiara".split()
)
_LOWER_WORD_BEFORE = re.compile(r"(?<![\w.\-])([a-z]+)[ \t]+$")


def with_lower_first_name(text: str, start: int, words: int = 2) -> int:
    """Where a name found in lower-case text should begin: up to `words`
    words earlier, while the word right before is one of FIRST_NAME_WORDS
    ("putri ayu lestari", "sri ayu lestari"), on the same line."""
    for _ in range(words):
        if start == 0 or not text[start].islower():
            return start
        before = _LOWER_WORD_BEFORE.search(text, max(0, start - 24), start)
        if before is None or before.group(1) not in FIRST_NAME_WORDS:
            return start
        start = before.start(1)
    return start
