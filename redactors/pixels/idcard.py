"""Identity cards in pictures (KTP, KK, SIM): every field value goes, the
labels stay.

On a photographed KTP the detector finds the name and the NIK, but not the
address, RT/RW, village, district or date of birth, which are as
identifying. When the OCR text shows a card (three or more of its field
labels), every word to the right of a label on the label's row is covered,
and the row under "Alamat" that continues the address too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .ocr import OcrText, Word

# Field labels of the KTP, KK and SIM, lower-cased, as OCR reads them
# (punctuation stripped). Multi-word labels are matched word by word.
LABELS = (
    "nik", "nama", "tempat/tgl lahir", "tempat tgl lahir", "tempat/tgl. lahir", "tgl lahir", "tanggal lahir",
    "jenis kelamin", "gol darah", "gol. darah", "alamat", "rt/rw", "rtrw", "kel/desa", "keldesa", "kelurahan",
    "desa/kelurahan", "kecamatan", "agama", "status perkawinan", "pekerjaan", "kewarganegaraan",
    "berlaku hingga", "no kk", "no. kk", "nama kepala keluarga", "kabupaten/kota", "kode pos",
    "tempat lahir", "tinggi", "no. sim", "no sim",
)
# The printed words of identity documents (titles and label words): never a
# person or a place, though a model reading "KARTU TANDA PENDUDUK" in
# capitals may call it one.
FORM_WORDS = frozenset(word for label in LABELS for word in re.split(r"[\s/.]+", label) if word) | {
    "kartu", "tanda", "penduduk", "keluarga", "surat", "izin", "mengemudi", "republik", "provinsi", "kabupaten",
    "kota", "seumur", "hidup", "darah", "kelamin", "lahir", "wni", "wna",
}
# Labels whose presence says "this is an identity card"; three are needed.
CARD_LABELS = {"nik", "nama", "tempat/tgl lahir", "tempat tgl lahir", "tempat/tgl. lahir", "alamat", "rt/rw",
               "kel/desa", "kecamatan", "agama", "pekerjaan", "jenis kelamin", "kewarganegaraan", "no kk",
               "no. kk", "status perkawinan", "berlaku hingga"}
# Fields whose value identifies the holder (verified again after redaction).
IDENTIFYING_FIELDS = {"nik", "nama", "tempat/tgl lahir", "tempat tgl lahir", "tempat/tgl. lahir", "tgl lahir",
                      "tanggal lahir", "tempat lahir", "alamat", "rt/rw", "rtrw", "kel/desa", "keldesa", "kelurahan",
                      "desa/kelurahan", "kecamatan", "no kk", "no. kk", "nama kepala keluarga", "no. sim", "no sim"}
_SPLIT = re.compile(r"[:;]+")


@dataclass(frozen=True)
class Field:
    label: str
    words: list[Word]  # the value's words, to be covered


def _norm(token: str) -> str:
    return token.lower().strip(":;.,")


def _label_at(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The longest label starting at token i: (label, number of tokens)."""
    best = None
    for label in LABELS:
        parts = label.split(" ")
        if [_norm(t) for t in tokens[i:i + len(parts)]] == [p.strip(".") for p in parts]:
            if best is None or len(parts) > best[1]:
                best = (label, len(parts))
    return best


def card_fields(ocr: OcrText) -> list[Field]:
    """The value words of every field, when the text reads as an identity
    card; [] otherwise."""
    words = ocr.words
    tokens = [ocr.text[w.start:w.end] for w in words]
    labels: list[tuple[int, int, str]] = []  # (first word, word count, label)
    i = 0
    while i < len(words):
        found = _label_at(tokens, i)
        if found:
            labels.append((i, found[1], found[0]))
            i += found[1]
        else:
            i += 1
    if len({label for _, _, label in labels if label in CARD_LABELS}) < 3:
        return []
    label_words = {j for start, count, _ in labels for j in range(start, start + count)}
    fields = []
    for start, count, label in labels:
        first, last = words[start].reading_box, words[start + count - 1].reading_box
        row_top, row_bottom = first[1], first[3]
        height = max(1, row_bottom - row_top)
        value = [w for j, w in enumerate(words)
                 if j not in label_words and w.reading_box[0] >= last[2] - 2
                 and _same_row(w, row_top, row_bottom, height) and not _SPLIT.fullmatch(tokens[j])]
        if label == "alamat" and value:
            value += _continuation(words, tokens, label_words, value, height)
        if value:
            fields.append(Field(label, value))
    return fields


def _same_row(word: Word, top: int, bottom: int, height: int) -> bool:
    centre = (word.reading_box[1] + word.reading_box[3]) / 2
    return top - 0.4 * height <= centre <= bottom + 0.4 * height


def _continuation(words, tokens, label_words, value: list[Word], height: int) -> list[Word]:
    """The next row of an address, under its value column and with no label."""
    left = min(w.reading_box[0] for w in value) - 2 * height
    bottom = max(w.reading_box[3] for w in value)
    below = [(j, w) for j, w in enumerate(words)
             if bottom - 0.3 * height < w.reading_box[1] < bottom + 1.6 * height and w.reading_box[0] >= left]
    if any(j in label_words for j, _ in below):
        return []
    return [w for j, w in below if not _SPLIT.fullmatch(tokens[j])]
