"""Irreversible anonymisation of image regions.

Faces are covered by an ellipse around the detected box, enlarged (1.5x: the
ellipse then contains the whole box, hair and chin included, with less area
than a 1.35x rectangle). The default is a solid fill; pixelation is offered
with blocks so coarse that nothing can be recovered (never a light blur,
which can be undone)."""

from __future__ import annotations

import cv2
import numpy as np

from .faces import FaceBox

DEFAULT_ENLARGE = 1.5
# px added on each side at least: the detector's heatmap has a 4 px stride,
# so the box of a face of 10-30 px can be off by a few pixels (on 12 MP
# canvases with faces of 10-48 px, faces >= 90% covered: 0.863 -> 0.892,
# redacted area on the eval photos 1.91x -> 1.92x; bench/images.py).
MIN_MARGIN_PX = 6


def face_mask(shape: tuple[int, int], boxes: list[FaceBox], enlarge: float = DEFAULT_ENLARGE,
              ellipse: bool = True) -> np.ndarray:
    height, width = shape
    mask = np.zeros((height, width), np.uint8)
    for box in boxes:
        if ellipse:
            centre = (int((box.x0 + box.x1) / 2), int((box.y0 + box.y1) / 2))
            half_w, half_h = box.half_sizes(enlarge, MIN_MARGIN_PX)
            cv2.ellipse(mask, centre, (max(1, int(half_w)), max(1, int(half_h))), 0, 0, 360, 1, thickness=-1)
        else:
            b = box.enlarged(enlarge, width, height, MIN_MARGIN_PX)
            mask[int(b.y0):int(np.ceil(b.y1)), int(b.x0):int(np.ceil(b.x1))] = 1
    return mask


def fill(image: np.ndarray, mask: np.ndarray, color=(0, 0, 0)) -> np.ndarray:
    """The image with every masked pixel set to `color`. OpenCV's masked copy:
    numpy's boolean indexing took 0.45 s on a 12 MP photo whose faces cover
    most of it, this 0.02 s."""
    cover = np.empty_like(image)
    cover[...] = color[: image.shape[2]] if image.ndim == 3 else color[0]
    out = np.ascontiguousarray(image).copy()
    cv2.copyTo(cover, mask.astype(np.uint8, copy=False), out)
    return out


def pixelate(image: np.ndarray, mask: np.ndarray, blocks_per_face: int = 6) -> np.ndarray:
    """Replace each masked region by a few flat blocks (6 across a face)."""
    out = image.copy()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        block = max(4, max(w, h) // blocks_per_face)
        region = out[y:y + h, x:x + w]
        small = cv2.resize(region, (max(1, w // block), max(1, h // block)), interpolation=cv2.INTER_AREA)
        coarse = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
        inside = labels[y:y + h, x:x + w] == label
        region[inside] = coarse[inside]
    return out
