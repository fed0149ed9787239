"""Words a Word document keeps but does not show: blacked out in the word
processor (black text on a black highlight or shading), turned white on
the white page, or formatted as hidden. That is how people black out text
in Word, and it stays in the file: anyone who selects it, changes the
colour, or opens the XML reads it. What nobody can see is taken out; a
blacked-out run keeps its black box (a label, black on black, takes the
words' place), a white or hidden one goes.

Only a run's own formatting is read (what a person applies by hand); text
in tables, text boxes and shaded paragraphs is left to the colours a style
may give them, so white text on a dark table header stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .xml import NS, W, remove

_WP = "{%s}" % NS["wp"]
_A = "{%s}" % NS["a"]
_WPS = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}"
# Scheme colours a theme makes dark (text 1, dark 1) and shape names of boxes.
_DARK_SCHEME = ("tx1", "dk1")
_BOXES = ("rect", "roundRect", "snipRoundRect", "round2SameRect")

# Word's highlight names as colours.
HIGHLIGHTS = {
    "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF", "red": "FF0000",
    "yellow": "FFFF00", "white": "FFFFFF", "darkBlue": "000080", "darkCyan": "008080", "darkGreen": "008000",
    "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000", "darkGray": "808080",
    "lightGray": "C0C0C0",
}
# Text this close to its background (each of R, G, B, 0-255) is unseen.
SAME_COLOUR = 20
_OFF = ("0", "false", "off")


@dataclass
class Unseen:
    texts: list[str]  # what was there, a phrase per stretch of unseen runs in a paragraph
    blacked_out: int  # runs that kept their box
    removed: int  # runs taken out (white or hidden)
    # Where a label goes, once detection has read the document (a label read
    # by it could be taken for a name): one per blacked-out stretch.
    label_slots: list[etree._Element]


def take_out_unseen(root: etree._Element) -> Unseen:
    result = Unseen([], 0, 0, [])
    for paragraph in root.iter(W + "p"):
        stretch: list[str] = []
        # The paragraph's own runs (a text box's paragraphs have theirs).
        runs = [r for r in paragraph.iter(W + "r") if next(r.iterancestors(W + "p"), None) is paragraph]
        for run in runs:
            how = _unseen(run, paragraph)
            if how is None:
                if stretch:
                    result.texts.append(" ".join("".join(stretch).split()))
                    stretch = []
                continue
            stretch.append(_text(run))
            if how == "blacked out":
                slot = _emptied(run)
                if len(stretch) == 1:
                    result.label_slots.append(slot)
                result.blacked_out += 1
            else:
                remove(run)
                result.removed += 1
        if stretch:
            result.texts.append(" ".join("".join(stretch).split()))
    result.texts = [t for t in result.texts if any(c.isalnum() for c in t)]
    return result


def boxes_over_text(root: etree._Element) -> int:
    """Dark filled boxes floating in front of the text (Insert > Shapes, a
    black rectangle laid over a name). What they hide cannot be told
    without laying the page out, and removing them would show it: such a
    file is held for a person to look at."""
    count = 0
    for anchor in root.iter(_WP + "anchor"):
        if anchor.get("behindDoc") in ("1", "true"):
            continue
        for shape in anchor.iter(_WPS + "wsp"):
            props = shape.find(_WPS + "spPr")
            geometry = props.find(_A + "prstGeom") if props is not None else None
            fill = props.find(_A + "solidFill") if props is not None else None
            if geometry is None or geometry.get("prst") not in _BOXES or fill is None:
                continue
            if "".join(t.text or "" for t in shape.iter(W + "t")).strip():
                continue  # a text box: its own words are what it shows
            if _dark(fill):
                count += 1
    return count


def _dark(fill: etree._Element) -> bool:
    colour = next(iter(fill), None)
    if colour is None:
        return False
    alpha = colour.find(_A + "alpha")
    if alpha is not None and int(alpha.get("val", "100000")) < 99000:
        return False
    if colour.tag == _A + "srgbClr":
        value = (colour.get("val") or "").upper()
        return len(value) == 6 and all(int(value[i:i + 2], 16) <= 64 for i in (0, 2, 4))
    if colour.tag == _A + "schemeClr":
        return colour.get("val") in _DARK_SCHEME and colour.find(_A + "lumMod") is None
    if colour.tag == _A + "prstClr":
        return colour.get("val") == "black"
    return False


def unseen_left(root: etree._Element, inserted: set[str]) -> int:
    """For verification: runs with unseen text still in `root`, not counting
    the labels the redaction put in blacked-out boxes."""
    count = 0
    for paragraph in root.iter(W + "p"):
        for run in paragraph.iter(W + "r"):
            if next(run.iterancestors(W + "p"), None) is paragraph and _text(run) not in inserted \
                    and _unseen(run, paragraph) is not None:
                count += 1
    return count


def _unseen(run: etree._Element, paragraph: etree._Element) -> str | None:
    """"blacked out", "white", "hidden" or None (seen)."""
    props = run.find(W + "rPr")
    if props is None or not _text(run).strip():
        return None
    vanish = props.find(W + "vanish")
    if vanish is not None and vanish.get(W + "val", "true") not in _OFF:
        return "hidden"
    colour = _hex(props.find(W + "color"), "val")
    if colour is None:  # automatic colour: Word shows it against any background
        return None
    background = _background(props)
    if background is not None:
        return "blacked out" if _same(colour, background) else None
    if _same(colour, "FFFFFF") and _on_the_page(run, paragraph):
        return "white"
    return None


def _background(props: etree._Element) -> str | None:
    highlight = props.find(W + "highlight")
    if highlight is not None and highlight.get(W + "val") in HIGHLIGHTS:
        return HIGHLIGHTS[highlight.get(W + "val")]
    return _hex(props.find(W + "shd"), "fill")


def _on_the_page(run: etree._Element, paragraph: etree._Element) -> bool:
    """Lies on the white page itself: not in a table, a text box or a shaded
    paragraph (a style or shape may colour those), in a document without a
    page colour."""
    for ancestor in run.iterancestors():
        if ancestor.tag in (W + "tbl", W + "txbxContent"):
            return False
    shading = paragraph.find(f"{W}pPr/{W}shd")
    if shading is not None and _hex(shading, "fill") not in (None, "FFFFFF"):
        return False
    return run.getroottree().getroot().find(W + "background") is None


def _hex(element: etree._Element | None, attribute: str) -> str | None:
    if element is None:
        return None
    value = (element.get(W + attribute) or "").upper()
    return value if len(value) == 6 and all(c in "0123456789ABCDEF" for c in value) else None


def _same(a: str, b: str) -> bool:
    return all(abs(int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) <= SAME_COLOUR for i in (0, 2, 4))


def _text(run: etree._Element) -> str:
    return "".join(t.text or "" for t in run.iter(W + "t"))


def _emptied(run: etree._Element) -> etree._Element:
    """The run's text taken out; its first w:t, empty, is returned."""
    texts = list(run.iter(W + "t"))
    texts[0].text = ""
    for extra in texts[1:]:
        remove(extra)
    return texts[0]
