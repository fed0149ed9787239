"""The few types every part of the library shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Location(StrEnum):
    """Where a finding was, as the manifest's schema lists it
    (config/manifest.schema.json; a test keeps the two equal)."""

    PAGE = "page"  # visible content of a PDF page
    METADATA = "metadata"  # hidden carriers removed whole: ...
    ANNOTATION = "annotation"
    ATTACHMENT = "attachment"
    FORM_FIELD = "form_field"
    OUTLINE = "outline"
    LINK = "link"
    BODY = "body"  # the parts of a Word document
    HEADER = "header"
    FOOTER = "footer"
    FOOTNOTE = "footnote"
    ENDNOTE = "endnote"
    COMMENT = "comment"
    TRACKED_CHANGE = "tracked_change"
    ALT_TEXT = "alt_text"
    HYPERLINK = "hyperlink"
    FIELD = "field"
    IMAGE = "image"  # pixels of a photo (its frame in `page`) or of a picture in a document
    FILE_NAME = "file_name"


@dataclass(frozen=True)
class TextSpan:
    """One detection in a piece of text: character offsets into that text."""

    start: int
    end: int
    entity_type: str
    score: float
    recognizer: str


@dataclass(frozen=True)
class Region:
    """An area a reviewer marked for redaction (the review desk): `page` is
    1-based (the frame of a photo), `bbox` is (x0, y0, x1, y1) in PDF points
    of the page as displayed, or in pixels of the upright photo."""

    page: int
    bbox: tuple[float, float, float, float]


@dataclass
class Finding:
    """One thing removed from a document. `value` is the removed text; it is
    used for verification and the keyed hash and never written anywhere."""

    entity_type: str
    value: str
    score: float
    recognizer: str
    location: Location  # a Location value (a plain string of one is accepted)
    page: int | None = None  # 1-based: the page, or the frame of a photo
    bbox: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        # A free string here once broke the manifest of a whole run at its
        # end ("frame 2" of a TIFF): refuse it where it is made instead.
        self.location = Location(self.location)
        if self.bbox is not None:  # points to 1/100 (pixels stay whole numbers)
            self.bbox = tuple(round(v, 2) if isinstance(v, float) else v for v in self.bbox)

    @classmethod
    def from_span(cls, span: TextSpan, text: str, location: Location | str, page: int | None = None,
                  bbox: tuple[float, float, float, float] | None = None) -> "Finding":
        """The finding a detector's span in `text` makes (every format's
        text goes through here)."""
        return cls(span.entity_type, text[span.start:span.end], span.score, span.recognizer, location, page, bbox)

    def moved(self, location: Location | str, page: int | None = None,
              bbox: tuple[float, float, float, float] | None = None) -> "Finding":
        """The same finding placed elsewhere: a picture's finding on the
        page or in the document that holds the picture."""
        return Finding(self.entity_type, self.value, self.score, self.recognizer, location, page, bbox)


@dataclass
class RedactionResult:
    """What a format handler returns: the redacted file and what it removed."""

    output: bytes
    findings: list[Finding]
    pages: int
    notes: list[str] = field(default_factory=list)
    # Text the redaction put into the output (labels, pseudonyms), which
    # verification must not mistake for a surviving value.
    inserted: set[str] = field(default_factory=set)
    # Set when the output is another format than the input (.odt in, .docx
    # out): the published name takes this suffix.
    output_suffix: str | None = None
    # Pictures whose pixels were not checked for faces or text (no image
    # pipeline yet): the policy decides whether that sends the file to review.
    unchecked_pictures: int = 0

    def sensitive_values(self) -> set[str]:
        """Every removed value, which verification must not find again."""
        return {f.value for f in self.findings if f.value.strip()}
