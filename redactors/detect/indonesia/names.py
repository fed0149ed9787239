"""Person names signalled by the words around them: an honorific (Bapak,
Ibu, Sdr., Ny., dr., H., Hj. ...) or a casework role (klien, korban, pelaku,
pasien, bernama, atas nama ...) followed by capitalised words, and initials
of minors and victims ("berinisial RA", "korban NH")."""

from __future__ import annotations

import re

from ..not_names import not_names
from .base import CodeRecognizer

HONORIFICS = (
    r"Bapak|Pak|Bpk\.?|Ibu|Bu|Sdr\.?|Sdri\.?|Saudara|Saudari|Tn\.?|Ny\.?|Nn\.?|An\.|Kak|Mas|Mbak|Dik|Adik|"
    r"dr\.|Dr\.|drg\.|Prof\.|H\.|Hj\.|Ustadz|Ustazah|Mr\.?|Mrs\.?|Ms\.?|Miss|Mister|Madam|Nyonya|Tuan|Nona|Opung|Ompung|Mak"
)
ROLES = (
    r"bernama|atas nama|a\.n\.|an\.|klien|korban|pelaku|pasien|tersangka|terdakwa|terpidana|saksi|pelapor|terlapor|"
    r"penerima manfaat|anak|ibunya|ayahnya|suaminya|istrinya|kakaknya|adiknya|neneknya|kakeknya|pamannya|bibinya|"
    r"client|patient|victim|named|facebook|fb"
)
# Capitalised name parts, with the particles of Arabic, Batak and Bugis names.
_PART = r"(?:[A-Z][a-zA-Z'\u00C0-\u024F\-]+|[A-Z]\.)"
_JOIN = r"(?:[ \t]+(?:bin|binti|boru|br\.|Al-[A-Z][a-z]+|al-[A-Z][a-z]+|[A-Z][a-zA-Z'\u00C0-\u024F\-]+|[A-Z]\.))"
_NAME = rf"{_PART}{_JOIN}{{0,4}}"

# Verbs and adverbs of casework reports, and the initials cue: words that
# end a name wherever they come after its first word. A heading in Title
# Case or in capitals reads "Korban Budi Santoso Dirawat Di RSUD" or
# "KORBAN MH DIRUJUK KE P2TP2A", and every capitalised word after the role
# word was taken for the name. Not the prepositions: "Di" and "De" are
# particles of names ("Angel Di Maria"), and a name cut there would leave
# its last part readable. Not "kabur": a Manggarai name part (NERP's "Benny
# Kabur Harman"). 0 of 11,085 gold names in the NER splits and synthetic
# casework hold one of these words after their first.
NAME_ENDS = frozenset({
    "dirujuk", "dirawat", "diantar", "dijemput", "dibawa", "diperiksa", "ditangani", "didampingi", "dilaporkan",
    "ditemukan", "mengalami", "melapor", "melaporkan", "menjalani", "mengaku", "meninggal", "pulang",
    "datang", "tinggal", "sedang", "telah", "sudah", "belum", "masih", "akan", "berinisial", "inisial",
})

# Capitalised words that follow an honorific but are not names: titles,
# offices, "Ibu Kota" (capital city), generic forms of address, and the
# casework words above (too rare in the news corpora to be on the
# not-names list), with "kabur" and "bersama" at a name's end.
NOT_NAMES = {
    "kota", "negara", "pertiwi", "kandung", "tiri", "angkat", "guru", "kepala", "ketua", "wakil", "menteri",
    "presiden", "gubernur", "bupati", "walikota", "wali", "lurah", "camat", "kades", "rt", "rw", "dokter", "bidan",
    "hakim", "jaksa", "polisi", "kapolres", "kapolsek", "direktur", "sekretaris", "bendahara", "pendamping",
    "pekerja", "konselor", "psikolog", "ustadz", "pendeta", "kyai", "haji", "hajjah", "dan", "atau", "yang",
    "dari", "di", "ke", "untuk", "dengan", "the", "and", "of", "to", "in", "juga", "tersebut", "itu", "ini",
    "sosial", "dinas", "kantor", "rumah", "sakit", "panti", "sekolah", "pengadilan", "kementerian", "balai",
    "bapak", "ibu", "pak", "bu", "anak", "klien", "korban", "pelaku", "pasien", "saudara", "saudari",
    "nama", "alamat", "umur", "usia", "tanggal", "nomor", "no", "telepon", "identitas", "kabur", "bersama",
} | NAME_ENDS
_NAME_WORD = re.compile(r"\S+")


def name_end(text: str, start: int, end: int) -> int:
    """Where the name found at text[start:end] ends: before the first word
    after its first that is in NAME_ENDS, in any case."""
    words = list(_NAME_WORD.finditer(text, start, end))
    for word in words[1:]:
        if word.group(0).strip(".,;:").casefold() in NAME_ENDS:
            return len(text[start:word.start()].rstrip()) + start
    return end


# Names do not run across line ends ("KLIEN\nNama: ..." is a heading and a field).
_HONORIFIC_NAME = re.compile(rf"(?<![\w.])(?:{HONORIFICS})[ \t]+({_NAME})")
_ROLE_NAME = re.compile(rf"(?<![\w])(?i:{ROLES})[ \t]*:?[ \t]+({_NAME})")


# In lower-case text, the words after "a/n", "a.n." or "atas nama" (in the
# name of: a bank account's or a registration's holder, "a/n putri"): one to
# three words of letters, none of them a common word (the not-names list,
# NOT_NAMES) or a short function word. Not after "bernama" or "namanya",
# which name products and groups as often ("bernama xps 12").
_LOWER_CUE_NAME = re.compile(
    r"(?<![\w])(?i:a\.n\.|a/n|atas[ \t]+nama)[ \t]*:?[ \t]*"
    r"((?-i:[a-z]{2,}(?:[ \t]+[a-z]{2,}){0,2}))(?![\w])"
)


def _common_word(word: str) -> bool:
    """On the not-names list or NOT_NAMES: a word that is no part of a name."""
    word = word.lower().strip(".")
    return word in not_names() or word in NOT_NAMES


def _lower_name_end(text: str, start: int, end: int) -> int:
    """Where the name in text[start:end] (lower-case words after a cue)
    ends: before the first word that cannot be part of a name (a common
    word, shorter than 3 letters, or a possessive "-nya" word: "a/n
    bapaknya"); `start` when the first cannot."""
    last = start
    for word in re.finditer(r"[a-z]+", text[start:end]):
        value = word.group(0)
        if _common_word(value) or len(value) < 3 or value.endswith("nya"):
            break
        last = start + word.end()
    return last


def _capitals_name(name: str) -> str:
    """A name written in capitals after a role or an honorific, up to its
    first common word: in a line of capitals every word has a capital, and
    "KORBAN TINGGAL DI PAREPARE BERSAMA NENEKNYA" is no name
    ("TINGGAL", lives, is on the not-names list). The line is also read in
    lower case, where the models find the name itself."""
    kept = []
    for word in name.split():
        if _common_word(word):
            break
        kept.append(word)
    return " ".join(kept)


def _trim(name: str) -> str:
    """End the name before a casework verb (NAME_ENDS), and drop trailing
    words that are not name parts ("Siti Aminah Dari" -> "Siti Aminah")."""
    words = name[:name_end(name, 0, len(name))].split()
    while words and words[-1].lower().strip(".") in NOT_NAMES:
        words.pop()
    return " ".join(words)


# What "bernama" (named) names, told by the noun its clause began with
# (Indonesian puts the head noun first: "sebuah band penutup amatir
# bernama ...", a band; "vokalis band bernama ...", a singer). A person
# word anywhere before it in the clause keeps the name a person's.
_CLAUSE_START = re.compile(r"[.!?;\n\"\u201c\u201d][^.!?;\n\"\u201c\u201d]*$")
_PERSON_HEADS = frozenset(
    "seorang sosok tokoh orang pria wanita perempuan lelaki laki gadis pemuda pemudi remaja bocah bayi anak "
    "istri suami ibu bapak ayah kakak adik nenek kakek paman bibi teman pacar kekasih tetangga warga anggota "
    "vokalis gitaris pemain personel pemilik ketua pendiri pemimpin manajer direktur karyawan pegawai staf guru "
    "murid siswa siswi santri penyanyi artis aktor aktris korban pelaku klien pasien saksi tersangka terdakwa "
    "singer member owner man woman girl boy child".split()
)
# Public works and groups whose names are published: the name is not a
# person's and is not redacted as one.
_WORK_HEADS = re.compile(r"\b(?:band|grup[ \t]+(?:musik|band|vokal|lawak)|album|lagu|film|sinetron|serial|"
                         r"majalah|tabloid|novel|partai)\b", re.IGNORECASE)
# Places and institutions: what they are named locates someone; the name
# is redacted as a place.
_PLACE_HEADS = re.compile(
    r"\b(?:desa|dusun|kampung|kelurahan|kecamatan|kota|kabupaten|pulau|gunung|puncak|bukit|sungai|danau|pantai|"
    r"jalan|gang|gedung|rumah|kos|panti|yayasan|sekolah|pesantren|masjid|musala|gereja|pura|vihara|klenteng|"
    r"pasar|toko|warung|restoran|hotel|perusahaan|kantor|klinik|puskesmas|kafe|salon|bengkel|klub|komunitas)\b",
    re.IGNORECASE)


def _named_thing(text: str, cue_start: int) -> str | None:
    """After "bernama"/"named": "work" when its clause is about a band,
    song, film or other public work, "place" when about a place or an
    institution, None when about a person (or nothing says)."""
    clause = text[max(0, cue_start - 120):cue_start]
    begun = _CLAUSE_START.search(clause)
    clause = clause[begun.start() + 1:] if begun else clause
    words = re.findall(r"[^\W\d_]+", clause.casefold())
    if any(word in _PERSON_HEADS for word in words):
        return None
    near = " ".join(words[-5:])
    if _WORK_HEADS.search(near):
        return "work"
    if _PLACE_HEADS.search(near):
        return "place"
    return None


class HonorificNameRecognizer(CodeRecognizer):
    ENTITIES = ("PERSON", "LOCATION")

    def find(self, text):
        results = []
        for pattern, score, why in (
            (_HONORIFIC_NAME, 0.85, "capitalised words after an honorific"),
            (_ROLE_NAME, 0.75, "capitalised words after a casework role or 'bernama'"),
        ):
            for m in pattern.finditer(text):
                name = _trim(m.group(1))
                if name.isupper() and " " in name:
                    name = _capitals_name(name)
                first = name.split()[0].lower().strip(".") if name else ""
                if not name or first in NOT_NAMES or (len(name) < 3 and "." not in name):
                    continue
                if name.isupper() and len(name) <= 4:  # initials are the InitialsRecognizer's
                    continue
                start = m.start(1)
                entity = "PERSON"
                if pattern is _ROLE_NAME and m.group(0)[:5].casefold() in ("berna", "named"):
                    thing = _named_thing(text, m.start())
                    if thing == "work":
                        continue  # "sebuah band ... bernama Pink Floyd"
                    if thing == "place":
                        entity, why = "LOCATION", "capitalised words after 'bernama' after a place's noun"
                results.append(self.result(entity, start, start + len(name), score, why))
        for m in _LOWER_CUE_NAME.finditer(text):
            end = _lower_name_end(text, m.start(1), m.end(1))
            if end > m.start(1):
                results.append(self.result("PERSON", m.start(1), end, 0.75,
                                           "lower-case words after a/n, a.n. or atas nama"))
        return results


# Initials: 1-4 capitals (optionally dotted) after "inisial", or 2-3 capitals
# after a role word. Acronyms that follow role words in reports are excluded.
# "inisial" and, in English passages, "initials": "victim initials: RA".
_INITIAL_CUE = r"\b(?:(?:ber)?inisial|initials?)\s*:?\s+"
_INITIALS_AFTER_INISIAL = re.compile(rf"(?i:{_INITIAL_CUE})((?:[A-Z]\.?\s?){{1,4}})(?![a-z])")
# The role words after which 2-3 letters are taken for initials.
_INITIAL_ROLES = r"\b(?:klien|korban|pelaku|tersangka|terdakwa|anak|pasien|saksi|pelapor|terlapor|siswa|siswi)\s+"
_INITIALS_AFTER_ROLE = re.compile(rf"(?i:{_INITIAL_ROLES})([A-Z]{{2,3}})\b(?![a-z])")
ACRONYMS = {
    "PKH", "BPJS", "KDRT", "UU", "RT", "RW", "LBH", "SD", "SMP", "SMA", "SMK", "ODGJ", "PPA", "ABH", "TPPO",
    "KIS", "KIP", "PNS", "ASN", "TNI", "POLRI", "HIV", "AIDS", "TBC", "DBD", "ODHA", "LPKA", "LPKS", "RSUD",
    "PN", "PA", "KUA", "NIK", "KK", "NPWP", "SIM", "BAP", "LP", "SPKT", "WNI", "WNA", "DKI", "PT", "CV", "UPT",
    "UPTD", "ITE", "PDP", "YANG", "DAN", "DI", "KE",
}


# An age written right after initials ("RA (12)", "NH (15 tahun)", "NH, 15
# tahun", in English "(14 years old)", ", 14 years old") narrows a child down
# as much as the initials: one span with them. The number (with its unit) is
# group "age" or "age2".
_YEARS = r"(?:tahun|thn|th|years?(?:[ \t]+old)?)"
AGE_AFTER = re.compile(rf"[ \t]*(?:\([ \t]*(?P<age>\d{{1,2}}(?:[ \t]*{_YEARS}\.?)?)[ \t]*\)"
                       rf"|,[ \t]*(?P<age2>\d{{1,2}}[ \t]*{_YEARS}\b\.?))", re.IGNORECASE)


def age_after(text: str, end: int) -> tuple[int, int] | None:
    """(start, end) of the age written right after text[:end] ("RA (12)",
    "NH, 15 tahun"), or None."""
    m = AGE_AFTER.match(text, end)
    if not m:
        return None
    group = "age" if m.group("age") else "age2"
    return m.start(group), m.end(group)


# In text written wholly in lower case (chat messages, some news feeds, OCR
# of some forms) initials are lower case too: "korban nh (15 tahun)",
# "berinisial ra (12)". Taken only with the age right after them (two cues
# together), and not when the letters are a short common word ("anak ke
# (2)") or an acronym ("pasien tbc (12)").
_LOWER_INITIALS_AFTER_INISIAL = re.compile(rf"(?i:{_INITIAL_CUE})((?:[a-z]\.?){{1,4}})(?![a-z])")
_LOWER_INITIALS_AFTER_ROLE = re.compile(rf"(?i:{_INITIAL_ROLES})([a-z]{{2,3}})(?![a-z])")
SHORT_WORDS = {"ke", "di", "dan", "yg", "yang", "ini", "itu", "tsb", "dgn", "dr", "no", "nya", "pd", "utk", "sbg", "dll",
               "tak", "tdk", "ada", "dia", "ibu", "pak", "kak", "adik"}


_LETTERS = re.compile(r"(?:[^\W\d_]\.?\s?)*[^\W\d_]\.?")


class InitialsRecognizer(CodeRecognizer):
    """Initials, with the age that follows them as one span (and the age
    alone as an AGE span inside it)."""

    ENTITIES = ("PERSON", "AGE")

    def find(self, text):
        results = []
        for pattern, why in (
            (_INITIALS_AFTER_INISIAL, "initials after 'inisial'"),
            (_INITIALS_AFTER_ROLE, "initials after a role word (klien, korban, pelaku ...)"),
        ):
            for m in pattern.finditer(text):
                value = m.group(1).rstrip()
                # After "inisial" the letters are initials whatever they
                # spell ("berinisial UU"); after a role word they may be an
                # acronym ("korban KDRT").
                if pattern is _INITIALS_AFTER_ROLE and value.replace(".", "").replace(" ", "") in ACRONYMS:
                    continue
                end = m.start(1) + len(value)
                age = AGE_AFTER.match(text, end)
                if age:
                    end, why = age.end(), why + " with the age after them"
                results.append(self.result("PERSON", m.start(1), end, 0.85, why))
        for pattern, why in (
            (_LOWER_INITIALS_AFTER_INISIAL, "lower-case initials after 'inisial' or 'initials', with the age after them"),
            (_LOWER_INITIALS_AFTER_ROLE, "lower-case initials after a role word, with the age after them"),
        ):
            for m in pattern.finditer(text):
                letters = m.group(1).replace(".", "")
                age = AGE_AFTER.match(text, m.end(1))
                if not age:
                    continue
                # After "inisial" the letters are initials whatever they
                # spell ("berinisial uu (10 th)"), as in capitals above.
                if pattern is _LOWER_INITIALS_AFTER_ROLE and (letters in SHORT_WORDS or letters.upper() in ACRONYMS):
                    continue
                results.append(self.result("PERSON", m.start(1), age.end(), 0.85, why))
        # The age inside an initials span is also an age (what the age
        # patterns find beside capitals, and what a lower-case text's
        # initials would otherwise not say).
        for found in list(results):
            where = age_after(text, found.start + len(_LETTERS.match(text, found.start).group(0)))
            if where and where[1] <= found.end:
                results.append(self.result("AGE", where[0], where[1], 0.85, "the age written after initials"))
        return results
