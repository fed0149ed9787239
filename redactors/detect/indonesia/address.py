"""Indonesian street addresses as one span, from the street (or the
housing estate, hamlet or village) to the postal code:

  Jln. Merdeka Gg. Mawar No. 5 RT 003/RW 007, Kel. Sukajadi, Kec. Sukarami,
  Kota Palembang 30151

A scan over words: an address starts at a street-level keyword and goes on
while the next words are address parts (a keyword and its value, RT/RW
numbers, a postal code), across commas. Village, district and city names on
their own are left to the location model: "Dinas Sosial Kota Palembang" is
an office, not someone's home.
"""

from __future__ import annotations

import re

from .base import CodeRecognizer

# Keywords that can start an address (street level and below the village).
_START = (
    r"Jl\.?|Jln\.?|Jalan|JL\.?|JLN\.?|JALAN|Gg\.?|Gang|GG\.?|Perum(?:ahan)?\.?|PERUM(?:AHAN)?|Komp(?:lek|leks)?\.?|"
    r"KOMP(?:LEK|LEKS)?\.?|Dusun|Dsn\.?|DUSUN|Kp\.?|Kampung|Blok|BLOK|Asrama|Jorong|Nagari|Banjar|Lingkungan|Lk\.?"
)
# Keywords that continue an address once started.
_PART = (
    _START + r"|No\.?|NO\.?|Nomor|Nmr\.?|RT\.?|RW\.?|Rt\.?|Rw\.?|Desa|Ds\.?|DESA|Kel\.?|Kelurahan|KEL\.?|KELURAHAN|"
    r"Kec\.?|Kecamatan|KEC\.?|KECAMATAN|Kab\.?|Kabupaten|KAB\.?|KABUPATEN|Kota|KOTA|Provinsi|Prov\.?|PROVINSI|Kode\s+Pos|Lantai|Lt\.?|Unit|Tower"
)
_START_RE = re.compile(rf"(?<![\w.])(?i:{_START})(?=[\s.:])")
_KEY_RE = re.compile(rf"(?i:{_PART})(?=[\s.:])")
# The value of a part: capitalised words and numbers (case-sensitive, so that
# "jalan kaki" is not an address), or RT/RW numbers like 003/007.
_NOT_KEY = rf"(?!(?i:{_PART})(?=[\s.:]))"
_WORD = rf"{_NOT_KEY}(?:(?:[A-Z]|Prof|Dr|KH|H|Hj|Ir|St|dr)\.|[A-Z0-9][\w'/\-]*)"
# Within one part, words do not run across a line end; parts may (an
# address wrapped over two lines).
_CAP_VALUE = re.compile(rf"[ \t]*[:.]?[ \t]*{_WORD}(?:[ \t]+{_WORD})*")
# In lower-case text (OCR, chat exports) a value is one or two words that are
# neither keywords nor ordinary function words.
_STOP = r"(?:bersama|dan|di|yang|ke|dari|untuk|dengan|sejak|pada|adalah|sebagai|serta|atau|karena|sudah|telah|tinggal|ini|itu|kaki)\b"
_LOW_WORD = rf"{_NOT_KEY}(?!{_STOP})[a-z0-9][\w'/\-]*"
_LOW_VALUE = re.compile(rf"[ \t]*[:.]?[ \t]*{_LOW_WORD}(?:[ \t]+{_LOW_WORD})?")
_RT_RW = re.compile(r"\d{1,3}\s*/\s*(?i:RW\.?\s*)?\d{1,3}")
_POSTAL = re.compile(r"\d{5}(?!\d)")
_SEPARATOR = re.compile(r"\s*[,;]?\s*")
# Keywords that can start an address in lower-case text (abbreviations only:
# "jalan" alone is an ordinary word).
_LOW_START = ("jl", "jln", "gg", "perum", "komp", "dusun", "dsn", "blok")
# Words that also start an address in lower-case text, but only when a
# house or RT/RW number follows ("kp. babakan rt 02/05 ds. sukamaju",
# "jalan ahmad yani no. 210"): they are ordinary words too ("pulang
# kampung", "jalan kaki").
_LOW_START_WITH_RT = ("kp", "kampung", "lingkungan", "lk", "jalan")
_HAS_RT = re.compile(r"(?i:\b(?:RT|RW)\b|\b(?:no|nomor)\b\.?\s*\d)|\d{1,3}\s*/\s*\d{1,3}")


def _part(text: str, pos: int, lower_ok: bool) -> int | None:
    """End of one address part at `pos`, or None."""
    for simple in (_RT_RW, _POSTAL):
        m = simple.match(text, pos)
        if m:
            return m.end()
    key = _KEY_RE.match(text, pos)
    if key is None:
        return None
    value = _CAP_VALUE.match(text, key.end())
    if value and value.end() > key.end() + 1:
        return value.end()
    if lower_ok:
        value = _LOW_VALUE.match(text, key.end())
        if value and value.end() > key.end() + 1:
            return value.end()
    return None


def _scan(text: str, begin: int, lower_ok: bool) -> tuple[int, int]:
    """(end, number of parts) of the address starting at `begin`."""
    end, parts = begin, 0
    while True:
        nxt = _part(text, end if parts == 0 else _SEPARATOR.match(text, end).end(), lower_ok)
        if nxt is None:
            break
        end, parts = nxt, parts + 1
    while end > begin and text[end - 1] in " .,;:":
        # keep the dot of a final abbreviation such as "Jl." only inside
        end -= 1
    return end, parts


class AddressRecognizer(CodeRecognizer):
    ENTITIES = ("ADDRESS",)

    def find(self, text):
        results = []
        position = 0
        for start_match in _START_RE.finditer(text):
            begin = start_match.start()
            if begin < position:
                continue
            start_word = start_match.group(0).lower().rstrip(".")
            end, parts = _scan(text, begin, start_word in _LOW_START)
            if parts == 0 and start_word in _LOW_START_WITH_RT:
                # Read again taking lower-case values: kept only with a
                # house or RT/RW number in it.
                end, parts = _scan(text, begin, True)
                if parts and not _HAS_RT.search(text, begin, end):
                    continue
            if parts == 0 or end - begin < 6:
                continue
            score = 0.9 if parts >= 2 else 0.6
            results.append(self.result("ADDRESS", begin, end, score, f"address keywords and values ({parts} parts)"))
            position = end
        return results
