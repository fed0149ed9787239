"""Pictures cropped in Word keep what the crop cut off.

Word's crop tool only records a crop rectangle (a:srcRect) beside the
picture; the file keeps the whole photo. Cropping a child's face or a house
number out of a photo hides it on screen and in print, and anyone who
resets the crop, or unzips the file, sees it. So the crop is applied to the
pixels: each picture keeps the union of what its uses show, and their crop
rectangles are restated against it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from lxml import etree
from PIL import Image

from .parts import resolve
from .xml import NS, R, parse

_A = "{%s}" % NS["a"]
_FULL = 100000  # a:srcRect's unit: a thousandth of a percent
_SIDES = ("l", "t", "r", "b")


@dataclass
class _Use:
    fill: etree._Element  # the a:blipFill or pic:blipFill holding the blip
    visible: tuple[float, float, float, float]  # (x0, y0, x1, y1), fractions of the picture


def apply_crops(trees: dict[str, etree._Element], rels: dict[str, dict[str, str]], media: dict[str, bytes]) -> int:
    """Crop `media` (part name -> bytes, changed in place) to what the
    documents `trees` show of it; `rels`: for each tree's part, its
    relationship ids -> target part names. Returns how many pictures were
    cut."""
    uses: dict[str, list[_Use]] = {}
    for part, root in trees.items():
        for blip in root.iter(_A + "blip"):
            target = rels.get(part, {}).get(blip.get(R + "embed", ""))
            if target in media:
                uses.setdefault(target, []).append(_Use(blip.getparent(), _visible(blip.getparent())))
    cut = 0
    for name, shown in uses.items():
        if any(_pads(use.fill) for use in shown):
            continue  # a crop that also pads: rare, and restating it would move the picture
        x0, y0 = min(u.visible[0] for u in shown), min(u.visible[1] for u in shown)
        x1, y1 = max(u.visible[2] for u in shown), max(u.visible[3] for u in shown)
        if (x0, y0, x1, y1) == (0.0, 0.0, 1.0, 1.0):
            continue
        cropped = _cropped(media[name], (x0, y0, x1, y1))
        if cropped is None:
            continue
        media[name] = cropped
        for use in shown:
            _restate(use, (x0, y0, x1, y1))
        cut += 1
    return cut


def relationship_targets(part: str, rels_xml: bytes) -> dict[str, str]:
    """Relationship ids of `part` -> the part names they point to."""
    return {rel.get("Id"): resolve(part, rel.get("Target", ""))
            for rel in parse(rels_xml) if rel.get("TargetMode") != "External"}


def _visible(fill: etree._Element) -> tuple[float, float, float, float]:
    rect = fill.find(_A + "srcRect")
    if rect is None:
        return (0.0, 0.0, 1.0, 1.0)
    # Negative values pad the picture (nothing is hidden on that side).
    l, t, r, b = (max(0, int(rect.get(side, "0") or 0)) / _FULL for side in _SIDES)
    if l + r >= 1 or t + b >= 1:
        return (0.0, 0.0, 1.0, 1.0)  # a crop that shows nothing: leave it to Word
    return (l, t, 1 - r, 1 - b)


def _pads(fill: etree._Element) -> bool:
    rect = fill.find(_A + "srcRect")
    return rect is not None and any(int(rect.get(side, "0") or 0) < 0 for side in _SIDES)


def _cropped(data: bytes, box: tuple[float, float, float, float]) -> bytes | None:
    """The picture cut to `box`, in its own format (JPEG or PNG); None when
    it cannot be decoded here (it is replaced by a blank picture later) or
    carries an EXIF turn (Word and OpenCV could disagree on its sides)."""
    jpeg, png = data.startswith(b"\xff\xd8\xff"), data.startswith(b"\x89PNG\r\n\x1a\n")
    if not (jpeg or png) or (jpeg and _turned(data)):
        return None
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        return None
    height, width = image.shape[:2]
    x0, y0 = int(np.floor(box[0] * width)), int(np.floor(box[1] * height))
    x1, y1 = int(np.ceil(box[2] * width)), int(np.ceil(box[3] * height))
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    ok, out = cv2.imencode(".jpg" if jpeg else ".png", np.ascontiguousarray(image[y0:y1, x0:x1]),
                           [cv2.IMWRITE_JPEG_QUALITY, 95] if jpeg else [])
    return out.tobytes() if ok else None


def _turned(jpeg: bytes) -> bool:
    try:
        return Image.open(io.BytesIO(jpeg)).getexif().get(0x0112, 1) not in (1, None)
    except Exception:
        return True


def _restate(use: _Use, kept: tuple[float, float, float, float]) -> None:
    """The use's crop, against the picture cut to `kept`."""
    width, height = kept[2] - kept[0], kept[3] - kept[1]
    x0, y0, x1, y1 = use.visible
    sides = ((x0 - kept[0]) / width, (y0 - kept[1]) / height, (kept[2] - x1) / width, (kept[3] - y1) / height)
    rect = use.fill.find(_A + "srcRect")
    values = [round(max(0.0, side) * _FULL) for side in sides]
    if not any(values):
        if rect is not None:
            use.fill.remove(rect)
        return
    if rect is None:
        rect = etree.Element(_A + "srcRect")
        use.fill.insert(1, rect)  # after the blip
    for side, value in zip(_SIDES, values):
        if value:
            rect.set(side, str(value))
        elif side in rect.attrib:
            del rect.attrib[side]
