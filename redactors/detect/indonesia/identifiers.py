"""Indonesian identity numbers that can be validated: NIK and KK (the same
16-digit structure), NPWP, and phone numbers."""

from __future__ import annotations

import re

from .base import CodeRecognizer

# Province codes of the Dukcapil region code (2 digits).
PROVINCE_CODES = frozenset(
    list(range(11, 20)) + [21] + list(range(31, 37)) + [51, 52, 53] + list(range(61, 66))
    + list(range(71, 77)) + [81, 82] + list(range(91, 97))
)

_SIXTEEN = re.compile(
    r"(?<![\d.\-/])(?:\d{16}|\d{4}([ .\-])\d{4}\1\d{4}\1\d{4}|\d{6}([ .\-])\d{6}\2\d{4}|\d{2}([ .])\d{2}\3\d{2}\3\d{6}\3\d{4})(?![\d\-/]|\.\d)"
)
# Sixteen digits written in any grouping ("32 03 01 55 07 10 0003", or a
# KTP form's boxes read by OCR as "3 2 0 3 0 1 ..."): taken only right after
# NIK, KTP or KK words, and only when valid.
_SPACED_SIXTEEN = re.compile(r"(?<![\d.\-/])\d(?:[ .\-]?\d){15}(?![ .\-]?\d)")
_KK_CONTEXT = re.compile(r"(?:\bKK\b|kartu\s+keluarga|\bno\.?\s*kk\b|family\s+card)", re.IGNORECASE)
_NPWP_CONTEXT = re.compile(r"\bNPWP\b|nomor\s+pokok\s+wajib\s+pajak|tax\s+id", re.IGNORECASE)
_NIK_CONTEXT = re.compile(r"\bNIK\b|\bKTP\b|nomor\s+induk\s+kependudukan|e-?KTP|\bID\b", re.IGNORECASE)


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


def valid_region(digits: str) -> bool:
    return int(digits[:2]) in PROVINCE_CODES and digits[2:4] != "00" and digits[4:6] != "00"


def valid_nik(digits: str) -> bool:
    """Region code, birth date DDMMYY (day + 40 for women), serial not 0000."""
    if len(digits) != 16 or not valid_region(digits):
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    if day > 40:
        day -= 40
    return 1 <= day <= 31 and 1 <= month <= 12 and digits[12:] != "0000"


def valid_kk(digits: str) -> bool:
    """Region code, issue date DDMMYY, serial not 0000."""
    if len(digits) != 16 or not valid_region(digits):
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    return 1 <= day <= 31 and 1 <= month <= 12 and digits[12:] != "0000"


def _preceding(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width):start]


class KependudukanRecognizer(CodeRecognizer):
    """16-digit population numbers: NIK (KTP) or KK (family card). The number
    alone is validated (region, date, serial); the words before it decide KK
    versus NIK, and NPWP context leaves it to the NPWP recognizer."""

    ENTITIES = ("ID_NIK", "ID_KK")

    def find(self, text):
        results = []
        for match in _SIXTEEN.finditer(text):
            digits = digits_of(match.group(0))
            before = _preceding(text, match.start())
            if _NPWP_CONTEXT.search(before) and not _NIK_CONTEXT.search(before[-15:]):
                continue
            if _KK_CONTEXT.search(before) and valid_kk(digits) and int(digits[6:8]) <= 31:
                entity, why = "ID_KK", "16 digits with a valid region code and issue date, after KK context"
            elif valid_nik(digits):
                entity, why = "ID_NIK", "16 digits with a valid region code and birth date"
            else:
                continue
            results.append(self.result(entity, match.start(), match.end(), 1.0, why))
        for match in _SPACED_SIXTEEN.finditer(text):
            if any(r.start <= match.start() < r.end for r in results):
                continue
            digits = digits_of(match.group(0))
            before = _preceding(text, match.start(), 25)
            if _KK_CONTEXT.search(before) and valid_kk(digits):
                entity = "ID_KK"
            elif _NIK_CONTEXT.search(before) and valid_nik(digits):
                entity = "ID_NIK"
            else:
                continue
            results.append(self.result(entity, match.start(), match.end(), 1.0,
                                       "16 valid digits in another grouping, right after NIK/KTP/KK words"))
        return results


_NPWP_FORMATTED = re.compile(r"(?<![\d.])\d{2}\.\d{3}\.\d{3}\.\d[\-.]\d{3}\.\d{3}(?![\d])")
_NPWP_PLAIN = re.compile(r"(?<![\d.\-])(?:\d{15}|\d{16})(?![\d])")


class NpwpRecognizer(CodeRecognizer):
    """NPWP: the 15-digit formatted form anywhere; 15 or 16 plain digits after
    NPWP context (since 2024 individuals use their NIK as NPWP)."""

    ENTITIES = ("ID_NPWP",)

    def find(self, text):
        results = [
            self.result("ID_NPWP", m.start(), m.end(), 1.0, "NPWP format 99.999.999.9-999.999")
            for m in _NPWP_FORMATTED.finditer(text)
        ]
        for m in _NPWP_PLAIN.finditer(text):
            if _NPWP_CONTEXT.search(_preceding(text, m.start())):
                results.append(self.result("ID_NPWP", m.start(), m.end(), 1.0, "15/16 digits after NPWP"))
        return results


_MOBILE = re.compile(r"(?<![\w+.\-/])(?:\+62|62|0)[\s.\-]?\(?8\d{1,2}\)?(?:[\s.\-]?\d{2,5}){1,3}(?![\w])")
_LANDLINE = re.compile(
    r"(?<![\w+.\-/])(?:\(\s*0\d{1,3}\s*\)|\+62[\s.\-]?\(?\d{1,3}\)?|62[\s.\-]\d{1,3}|0[1-79]\d{0,2}(?=[\s.\-]))"
    r"(?:[\s.\-]?\d{2,4}){2,3}(?![\w])"
)


def national_digits(text: str) -> str:
    digits = digits_of(text)
    if text.lstrip().startswith("+62") or (digits.startswith("62") and not text.lstrip().startswith("0")):
        digits = "0" + digits[2:]
    return digits


class PhoneIdRecognizer(CodeRecognizer):
    """Indonesian phone numbers: mobiles (08.., +62 8.., 62 8..) and landlines
    with an area code, with or without separators. Validated on the number of
    national digits (10-13 for mobiles, 9-12 for landlines)."""

    ENTITIES = ("PHONE_NUMBER",)

    def find(self, text):
        results = []
        for start, end in _numbers(_MOBILE, text, _valid_mobile):
            results.append(self.result("PHONE_NUMBER", start, end, 0.9, "Indonesian mobile number"))
        for start, end in _numbers(_LANDLINE, text, _valid_landline):
            results.append(self.result("PHONE_NUMBER", start, end, 0.75, "Indonesian landline with area code"))
        return results


def _valid_mobile(candidate: str) -> bool:
    n = national_digits(candidate)
    return n.startswith("08") and 10 <= len(n) <= 13


def _valid_landline(candidate: str) -> bool:
    n = national_digits(candidate)
    return not n.startswith("08") and 9 <= len(n) <= 12 and n.startswith("0")


_GROUP_END = re.compile(r"\d(?=[\s.\-]+\(?\d)")


def _numbers(pattern: re.Pattern, text: str, valid) -> list[tuple[int, int]]:
    """(start, end) of each valid number. A match that is too long to be
    valid may be two numbers run together ("0812-3456-7890\n0813-2222-3333"
    is read as one run of 15 digits): its longest valid prefix that ends at
    a digit group is taken and the search goes on after it, so neither
    number is lost."""
    found, position = [], 0
    while (match := pattern.search(text, position)):
        ends = [match.end()] + [m.end() for m in reversed(list(_GROUP_END.finditer(text, match.start(), match.end())))]
        end = next((e for e in ends if valid(text[match.start():e])), None)
        if end is None:
            position = match.start() + 1
            continue
        found.append((match.start(), end))
        position = end
    return found
