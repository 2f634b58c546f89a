# Included by the top-level Makefile: `include benchmarks/bench.mk`
.PHONY: bench bench-setup
bench:  ## accuracy and speed of textlens, Tesseract and RapidOCR on the SROIE dev sets
	bash benchmarks/bench.sh
bench-setup:  ## install Tesseract (apt, when root) and .bench-venv (RapidOCR 1.4.4)
	bash benchmarks/setup.sh
