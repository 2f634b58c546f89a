# textlens: `make demo` sets everything up and reads the bundled sample;
# `make test` sets everything up and runs the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.textlens-installed
export OMP_WAIT_POLICY := PASSIVE

.PHONY: setup demo test lint bench fonts clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of PyTorch (training only; reading runs on ONNX Runtime).
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[train,serve,batch,video,dev]"
	-bash scripts/install-fonts.sh
	# The web page's ONNX Runtime Web and Swagger UI, served by textlens itself (npm registry).
	-bash scripts/fetch_web_assets.sh
	touch $(STAMP)

demo: setup
	$(BIN)/textlens read samples/receipt.png

lint: setup
	$(BIN)/ruff check textlens tests benchmarks scripts
	$(BIN)/ruff format --check textlens tests benchmarks scripts

test: lint
	# Headless Chromium for the web page's tests (Debian's packages; skipped with a reason if not installable).
	-bash scripts/install-browser.sh
	$(BIN)/pytest

bench: setup
	bash benchmarks/bench.sh

fonts:
	bash scripts/install-fonts.sh

clean:
	rm -rf $(VENV) .bench-venv build *.egg-info .pytest_cache .ruff_cache
