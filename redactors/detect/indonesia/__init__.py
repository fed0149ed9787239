"""Recognizers for Indonesian personal data (see ../shared/design/PII_INDONESIA.md).

Pattern-only recognizers are data: config/recognizers/id.yaml. The ones here
need code: validation (NIK, KK, NPWP, phone numbers), or a scan that a single
pattern cannot express (street addresses, names after honorifics).
"""

from .address import AddressRecognizer
from .identifiers import KependudukanRecognizer, NpwpRecognizer, PhoneIdRecognizer
from .names import HonorificNameRecognizer, InitialsRecognizer
from .regions import RegionNameRecognizer

__all__ = [
    "AddressRecognizer", "HonorificNameRecognizer", "InitialsRecognizer",
    "KependudukanRecognizer", "NpwpRecognizer", "PhoneIdRecognizer", "RegionNameRecognizer",
]


def code_recognizers(language: str = "id") -> list:
    return [
        KependudukanRecognizer(supported_language=language),
        NpwpRecognizer(supported_language=language),
        PhoneIdRecognizer(supported_language=language),
        AddressRecognizer(supported_language=language),
        HonorificNameRecognizer(supported_language=language),
        InitialsRecognizer(supported_language=language),
        RegionNameRecognizer(supported_language=language),
    ]
