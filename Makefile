# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: demo test bench install install-test clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-examples: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[examples]'
	touch $@

# the test suite runs the examples (tests/test_examples.py), so it needs their extra too
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test,examples]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# trains a CNN on scikit-learn's handwritten digits; writes runs/digits.png and runs/digits_cnn.pt.
# One BLAS thread: this model's small GEMMs gain nothing from a second one, and lose a lot on a busy machine.
demo: $(VENV)/.installed-examples
	$(THREADS) $(BIN)/python examples/vision/digits_cnn.py

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 tests

bench: $(VENV)/.installed-test
	$(THREADS) $(BIN)/python benchmarks/run.py $(BENCH)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis
