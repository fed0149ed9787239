"""What a reader of a PDF page cannot see, yet the file keeps.

- Text under an opaque shape drawn over it: a box drawn over a name by hand
  in a PDF editor or as a shape in Word, a viewer's square, circle,
  highlight or pen annotation, a redaction mark never applied, white-out.
  Copy and paste, pdftotext or a search of the file finds it: the classic
  failed redaction, made by someone who meant it gone.
- Text in the colour of what lies beneath it: black on a black highlight
  (a Word file blacked out by hand, exported), white on the white page.
- What lies beyond the visible page: the part a crop cut off, text placed
  off the page.

It is removed, and the page looks as it did: a box drawn in the page's
content stays where it was; a box that was an annotation (removed with the
other annotations) is drawn again. Paint order decides what is hidden: a
dark header bar with white text drawn on it hides nothing. A cover must be
opaque and lie over most of a letter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pymupdf

# A fill at least this opaque hides what is beneath it.
OPAQUE = 0.99
# A letter is hidden when at least this share of its box lies under a cover.
HIDDEN_SHARE = 0.6
# Shapes smaller than this (points) on either side are rules and borders, not covers.
MIN_COVER_PT = 3.0
# Highlights darker than this (luminance 0-1) hide the text they mark.
DARK = 0.25
# Annotations are painted after all of a page's content.
ON_TOP = float("inf")
# Annotations that are filled shapes, and a pen stroke at least this wide (points).
_FILLED_SHAPES = {pymupdf.PDF_ANNOT_SQUARE: "square", pymupdf.PDF_ANNOT_CIRCLE: "circle",
                  pymupdf.PDF_ANNOT_POLYGON: "polygon"}
MIN_SCRIBBLE_PT = 3.0


@dataclass
class Cover:
    rect: pymupdf.Rect
    seqno: float  # paint order (the page's bbox log); ON_TOP for annotations
    kind: str  # what drew it, for the manifest
    fill: tuple[float, float, float] | None = None  # drawn again when the cover itself goes (an annotation)

    def __post_init__(self):
        self.box = tuple(self.rect)  # for the arithmetic below


@dataclass
class HiddenRun:
    """Letters of one text span hidden by one cover."""

    cover: Cover
    text: str
    rect: pymupdf.Rect
    # Visible letters drawn over the same place: removing the hidden ones
    # would take them too (white-out under retyped text).
    overlaid: bool = False


@dataclass
class Hidden:
    covers: list[Cover] = field(default_factory=list)
    runs: list[HiddenRun] = field(default_factory=list)
    pictures: list[pymupdf.Rect] = field(default_factory=list)  # parts of pictures under a cover


def annotation_covers(page: pymupdf.Page) -> list[Cover]:
    """Covers that are annotations: read before the annotations are removed
    (their appearances would otherwise pass for drawn boxes: a yellow
    highlight is an opaque fill that a viewer multiplies with the text)."""
    covers = []
    unturn = page.derotation_matrix  # annotations speak of the page as shown; text and drawings, unturned
    for annot in page.annots():
        kind, colors = annot.type[0], annot.colors or {}
        opacity = annot.opacity if annot.opacity is not None and annot.opacity >= 0 else 1.0
        if kind == pymupdf.PDF_ANNOT_REDACT:  # marked, never applied: the writer's own redaction
            covers += [Cover(r * unturn, ON_TOP, "a redaction mark never applied",
                             tuple(colors.get("fill") or (0, 0, 0))) for r in _quad_rects(annot) or [annot.rect]]
        elif kind in _FILLED_SHAPES and colors.get("fill") and opacity >= OPAQUE:
            covers.append(Cover(annot.rect * unturn, ON_TOP, f"a {_FILLED_SHAPES[kind]} annotation over it",
                                tuple(colors["fill"])))
        elif kind == pymupdf.PDF_ANNOT_INK and colors.get("stroke") and opacity >= OPAQUE \
                and _luminance(colors["stroke"]) <= DARK and (annot.border or {}).get("width", 0) >= MIN_SCRIBBLE_PT:
            # A thick dark pen stroked over words: the writer meant them gone,
            # and removing the annotation would show them whole.
            covers.append(Cover(annot.rect * unturn, ON_TOP, "a pen stroke over it", tuple(colors["stroke"])))
        elif kind == pymupdf.PDF_ANNOT_HIGHLIGHT and colors.get("stroke") and opacity >= OPAQUE \
                and _luminance(colors["stroke"]) <= DARK:
            covers += [Cover(r * unturn, ON_TOP, "a dark highlight over it", tuple(colors["stroke"]))
                       for r in _quad_rects(annot) or [annot.rect]]
    return [c for c in covers if not c.rect.is_empty]


def opaque_fills(page: pymupdf.Page) -> list[dict]:
    """The page's filled paths that hide what is beneath them (its
    annotations removed)."""
    fills = []
    for drawing in page.get_drawings():
        opacity = drawing.get("fill_opacity")
        if drawing.get("fill") is not None and (1.0 if opacity is None else opacity) >= OPAQUE:
            fills.append(drawing)
    return fills


def drawn_covers(fills: list[dict]) -> list[Cover]:
    """Opaque filled boxes among `fills` (opaque_fills)."""
    covers = []
    for drawing in fills:
        rect = pymupdf.Rect(drawing["rect"])
        if min(rect.width, rect.height) >= MIN_COVER_PT and _fills_its_box(drawing):
            covers.append(Cover(rect, drawing["seqno"], "a box drawn over it"))
    return covers


def hidden_on(page: pymupdf.Page, annotations: list[Cover] = ()) -> Hidden:
    """What the page's covers hide: its drawn boxes, and `annotations` (read
    by annotation_covers before the page's annotations were removed); and
    text written in the colour of what lies beneath it (black on a black
    highlight, white on the white page)."""
    fills = opaque_fills(page)
    covers = drawn_covers(fills) + list(annotations)
    grounds = _grounds(page, fills)
    hidden = Hidden(covers)
    visible: list[tuple] = []
    seen_spans: list[dict] = []
    for span in page.get_texttrace():
        if span.get("type") == 3 or span.get("opacity", 1.0) == 0:  # invisible text: removed as a carrier anyway
            continue
        colour = _rgb(span.get("color") or (0.0,)) if span.get("type", 0) == 0 else None
        # What is painted over the span and under it, near it: a page of
        # shaded table cells has hundreds of fills, a span meets a few.
        area, order = tuple(span["bbox"]), span["seqno"]
        over = [c for c in covers if c.seqno > order and _meets(c.box, area)]
        under = [g for g in grounds if g.seqno < order and _meets(g.box, area)]
        white = colour is not None and _same(colour, WHITE)
        if not over and not under and not white:
            # Nothing over it, nothing under it but the page, not white: seen
            # (most spans of most pages; their letters are listed only if
            # something on the page turns out hidden).
            seen_spans.append(span)
            continue
        run: list[tuple[str, pymupdf.Rect]] = []
        run_cover = None
        covering = _first_covers(span["chars"], over)
        for char, hiding in zip(span["chars"], covering):
            letter, box = chr(char[0]), tuple(char[3])
            if not letter.strip():  # a space neither ends a run nor starts one
                if run:
                    run.append((" ", box))
                continue
            if hiding >= 0:
                cover = over[hiding]
            else:
                cover = _unseen(box, colour, under) if under or white else None
            if cover is not run_cover and run:
                hidden.runs.append(_run(run_cover, run))
                run = []
            run_cover = cover
            if cover is not None:
                run.append((letter, box))
            elif _area(box) > 0:
                visible.append(box)
        if run:
            hidden.runs.append(_run(run_cover, run))
    hidden.runs = [r for r in hidden.runs if any(ch.isalnum() for ch in r.text)]
    if hidden.runs:
        visible += [box for span in seen_spans for box in (tuple(c[3]) for c in span["chars"]) if _area(box) > 0]
    for run in hidden.runs:
        run.overlaid = any(_share(box, tuple(run.rect)) > 0.3 for box in visible)
    hidden.pictures = _pictures_under(page, covers) if covers else []
    return hidden


@dataclass
class _Ground:
    """Something painted that text may lie on: a fill of known colour, or a
    picture or shading (colour unknown: text on it is taken as seen)."""

    rect: pymupdf.Rect
    seqno: int
    colour: tuple[float, float, float] | None
    cover: Cover | None = None

    def __post_init__(self):
        self.box = tuple(self.rect)


# Text this close to the colour beneath it (each of R, G, B, 0-1) is unseen.
SAME_COLOUR = 0.08
WHITE = (1.0, 1.0, 1.0)
_PAGE = Cover(pymupdf.Rect(), -1, "text the colour of what lies beneath it")


def _grounds(page: pymupdf.Page, fills: list[dict]) -> list[_Ground]:
    grounds = [_Ground(pymupdf.Rect(d["rect"]), d["seqno"], _rgb(d["fill"]) if _fills_its_box(d) else None)
               for d in fills]
    for index, (kind, bbox) in enumerate(page.get_bboxlog()):
        if kind in ("fill-image", "fill-imgmask", "fill-shade"):
            grounds.append(_Ground(pymupdf.Rect(bbox), index, None))
    grounds.sort(key=lambda g: g.seqno, reverse=True)  # the topmost first
    return grounds


def _unseen(box: tuple, colour, under: list[_Ground]) -> Cover | None:
    """A cover standing for what `box`'s letter lies on, when the letter has
    its colour: the topmost thing painted before it under most of it
    (`under`, topmost first), or the (white) page."""
    if colour is None or _area(box) <= 0:
        return None
    for ground in under:
        if _share(box, ground.box) >= HIDDEN_SHARE:
            if ground.colour is None or not _same(colour, ground.colour):
                return None
            if ground.cover is None:  # one cover per ground, so that its letters make one run
                ground.cover = Cover(ground.rect, ground.seqno, "text the colour of what lies beneath it")
            return ground.cover
    return _PAGE if _same(colour, WHITE) else None


def _same(a, b) -> bool:
    return max(abs(x - y) for x, y in zip(a, b)) <= SAME_COLOUR


def _rgb(colour) -> tuple[float, float, float]:
    if len(colour) == 1:
        return (float(colour[0]),) * 3
    if len(colour) == 4:  # CMYK
        c, m, y, k = colour
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return tuple(float(v) for v in colour[:3])


def remove_hidden(page: pymupdf.Page, hidden: Hidden) -> None:
    """Redaction annotations for what `hidden` found (applied with the
    page's other redactions). Runs overlaid by visible text are left: their
    value stays, so verification sends the file to review. The parts of
    pictures under a box are blanked first, on their own: pixels only, for
    text drawn on the box (a title on a band over a photo) is seen."""
    if hidden.pictures:
        for rect in hidden.pictures:
            page.add_redact_annot(rect, fill=False, cross_out=False)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                              text=pymupdf.PDF_REDACT_TEXT_NONE)
    for run in hidden.runs:
        if not run.overlaid and run.cover.seqno != ON_TOP:
            page.add_redact_annot(run.rect, fill=False, cross_out=False)
    for cover in hidden.covers:
        if cover.seqno == ON_TOP:  # the annotation goes: everything under it, and the box drawn again
            page.add_redact_annot(cover.rect, fill=cover.fill, cross_out=False)


# Beyond the visible page: what a crop took away (Acrobat's crop tool sets
# /CropBox; the letterhead or margin note it hid stays in the content, and
# pdftotext, which reads the media box, prints it), or what was placed off
# the page. A band starts this far out, so that a letter grazing the edge
# stays; it reaches as far as a PDF page can.
EDGE_GAP = 2.0
_FAR = 2 * 14400.0


def visible_box(page: pymupdf.Page) -> tuple[float, float, float, float]:
    """The part of the page a viewer shows, in the coordinates of the text
    and drawings (the page unrotated)."""
    return tuple(page.rect * page.derotation_matrix)


def beyond_the_page(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """Bands around the visible page, when anything is painted in them:
    applied as redactions, they take away its text, pictures' pixels and
    line art."""
    x0, y0, x1, y1 = visible_box(page)
    painted = [box for _, box in page.get_bboxlog()]
    if not any(b[0] < x0 - EDGE_GAP or b[1] < y0 - EDGE_GAP or b[2] > x1 + EDGE_GAP or b[3] > y1 + EDGE_GAP
               for b in painted):
        return []
    return [pymupdf.Rect(x0 - _FAR, y0 - _FAR, x1 + _FAR, y0 - EDGE_GAP),  # above
            pymupdf.Rect(x0 - _FAR, y1 + EDGE_GAP, x1 + _FAR, y1 + _FAR),  # below
            pymupdf.Rect(x0 - _FAR, y0 - EDGE_GAP, x0 - EDGE_GAP, y1 + EDGE_GAP),  # left
            pymupdf.Rect(x1 + EDGE_GAP, y0 - EDGE_GAP, x1 + _FAR, y1 + EDGE_GAP)]  # right


def text_beyond_the_page(page: pymupdf.Page) -> str:
    """For verification: letters lying wholly beyond the visible page."""
    x0, y0, x1, y1 = visible_box(page)
    letters = []
    for span in page.get_texttrace():
        for char in span["chars"]:
            b = char[3]
            if b[2] < x0 - EDGE_GAP or b[0] > x1 + EDGE_GAP or b[3] < y0 - EDGE_GAP or b[1] > y1 + EDGE_GAP:
                letters.append(chr(char[0]))
    return "".join(letters).strip()


def hidden_text_left(page: pymupdf.Page) -> list[str]:
    """For verification: the text still hidden under a cover on an output page."""
    return [run.text for run in hidden_on(page).runs]


def _first_covers(chars, over: list[Cover]) -> list[int]:
    """For each letter, the index in `over` (covers painted after it) of the
    first one under which most of it lies, or -1. All at once: an output
    page has a line of letters beside each of its redaction boxes."""
    if not over:
        return [-1] * len(chars)
    boxes = np.array([c[3] for c in chars], dtype=float).reshape(-1, 4)
    covers = np.array([c.box for c in over], dtype=float)
    width = np.minimum(boxes[:, None, 2], covers[None, :, 2]) - np.maximum(boxes[:, None, 0], covers[None, :, 0])
    height = np.minimum(boxes[:, None, 3], covers[None, :, 3]) - np.maximum(boxes[:, None, 1], covers[None, :, 1])
    inside = np.clip(width, 0, None) * np.clip(height, 0, None)
    area = np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    hidden = inside >= HIDDEN_SHARE * area[:, None]
    hidden &= area[:, None] > 0
    return np.where(hidden.any(axis=1), hidden.argmax(axis=1), -1).tolist()


def _run(cover: Cover, chars: list[tuple[str, pymupdf.Rect]]) -> HiddenRun:
    while chars[-1][0] == " ":  # trailing spaces belong to no run
        chars = chars[:-1]
    rect = pymupdf.Rect(chars[0][1])
    for _, box in chars[1:]:
        rect |= box
    return HiddenRun(cover, " ".join("".join(c for c, _ in chars).split()), rect)


def _pictures_under(page: pymupdf.Page, covers: list[Cover]) -> list[pymupdf.Rect]:
    """Parts of pictures painted before a cover and under it (a face blacked
    out with a box: the picture's pixels are whole beneath it)."""
    parts = []
    for index, (kind, bbox) in enumerate(page.get_bboxlog()):
        if kind != "fill-image":
            continue
        for cover in covers:
            if cover.seqno > index and cover.seqno != ON_TOP:
                part = pymupdf.Rect(bbox) & cover.rect
                if not part.is_empty and min(part.width, part.height) >= MIN_COVER_PT:
                    parts.append(part)
    return parts


def _fills_its_box(drawing: dict) -> bool:
    """A rectangle, or a closed path of straight lines along the edges of
    its box (a shape from Word or LibreOffice, which may start mid-edge):
    not a letter, a curve or a ring."""
    items = drawing["items"]
    if all(item[0] in ("re", "qu") for item in items):
        return True
    if not all(item[0] == "l" for item in items):
        return False
    rect = pymupdf.Rect(drawing["rect"])
    for _, start, end in items:
        if abs(start.x - end.x) <= 0.5:  # vertical: on the left or right edge
            if min(abs(start.x - rect.x0), abs(start.x - rect.x1)) > 1.0:
                return False
        elif abs(start.y - end.y) <= 0.5:  # horizontal: on the top or bottom edge
            if min(abs(start.y - rect.y0), abs(start.y - rect.y1)) > 1.0:
                return False
        else:
            return False
    return True


def _quad_rects(annot) -> list[pymupdf.Rect]:
    vertices = annot.vertices or []
    return [pymupdf.Quad(vertices[i:i + 4]).rect for i in range(0, len(vertices) - 3, 4)]


# Boxes as (x0, y0, x1, y1) tuples: a page of table cells asks these
# questions tens of thousands of times, and pymupdf.Rect is built in Python.
def _area(box: tuple) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _meets(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _share(box: tuple, cover: tuple) -> float:
    """The share of `box` that lies within `cover`."""
    area = _area(box)
    if area <= 0:
        return 0.0
    inside = (max(0.0, min(box[2], cover[2]) - max(box[0], cover[0]))
              * max(0.0, min(box[3], cover[3]) - max(box[1], cover[1])))
    return inside / area


def _luminance(colour) -> float:
    r, g, b = _rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
