# One entry point for newcomers: `make stack` and `make test` are all you need.
# `make stack` builds whatever is missing (the virtual environment, the corpus, the features, the
# feature store, the models), skips what is done, and serves everything until Ctrl-C. Every step
# is a file target: a step reruns only when its output is missing or older than its inputs.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FEAST := $(VENV)/bin/feast
FEATURE_REPO := sms_feature_store
STAMP := $(VENV)/.installed

# Settings from .env (see .env.sample) reach every command below.
ifneq (,$(wildcard .env))
include .env
export
endif

# Where the corpus comes from, when set: a CSV in the sms_id,text,label format.
# On the project's own machines: make stack SMS_RAW_DATASET=../shared/data/sms_spam/raw_dataset.csv
SMS_RAW_DATASET ?=
export SMS_RAW_DATASET
SHARED_CORPUS := ../shared/data/sms_spam/raw_dataset.csv
CORPUS_HINT := $(if $(wildcard $(SHARED_CORPUS)),$(SHARED_CORPUS),path/to/raw_dataset.csv)
# The corpus is fetched before anything is installed: the standard library is enough for it.
BOOT_PY := $(if $(wildcard $(PY)),$(PY),$(PYTHON))
CHECK_PYTHON := $(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else "Python 3.11 or 3.12 is needed; set PYTHON=python3.11")'

# What each step writes; a step's target is one of its files.
RAW := raw_data/raw_dataset.csv
SOURCES1 := offline_data/sms_features1.parquet
TOKENIZER := models/model2_2020/tokenizer/tokenizer.json
# The v2 Parquet file also grows with every push to smss2_push (the webhook, the backfill), so
# its date cannot say whether the models are up to date: create_offline_sources_2.py leaves a
# stamp beside it each time it writes it, from make or by hand.
SOURCES2 := offline_data/.sms_features2.written
SOURCES2_MISSING := $(if $(wildcard offline_data/sms_features2.parquet),,force)
APPLIED := $(FEATURE_REPO)/data/.stage-2021-applied
MODEL1 := models/model1_2019/metadata.json
MODEL2 := models/model2_2020/classifier/metadata.json
MODEL3 := models/model3_2021/classifier/metadata.json
MODELS := $(MODEL1) $(MODEL2) $(MODEL3)

NOTEBOOK1 := training/model1_2019/train_model_1_2019.ipynb
NOTEBOOK2 := training/model2_2020/train_model_2_2020.ipynb
NOTEBOOK3 := training/model3_2021/train_model_3_2021.ipynb
WEB_APP := client/sms_web_app
# The end-to-end test drives Debian's chromium (playwright cannot download browsers here).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
# Where the browser tests save their screenshots (git-ignored); `make images` copies them to images/.
SCREENSHOT_DIR ?= local_data/screenshots
export SCREENSHOT_DIR

.PHONY: force help setup web-setup chromium wrk data features apply models train train-1 train-2 train-3 test-unit \
	init serve stack demo test bench bench-smoke bench-load bench-storage lint clean cassandra \
	cassandra-stop cassandra-status images

# A step that fails leaves no half-made target behind, so the next run does it again.
.DELETE_ON_ERROR:

# A prerequisite that is never up to date: it remakes a stamp whose file has gone.
force:

help:
	@echo "make stack  build what is missing, then start every service and the web app, until Ctrl-C"
	@echo "make test   run every test"
	@echo "make test-unit  the unit tests alone (seconds: no server, no training)"
	@echo "make demo   build what is missing (corpus, features, feature store, models, tables), serve nothing"
	@echo "make setup  create $(VENV) from requirements-dev.txt"
	@echo "make lint   ruff, mypy, import-linter and ESLint"
	@echo "make train  run the three training notebooks headless (train-1, train-2, train-3: one each)"
	@echo "make compare  every v3 candidate over three seeds on the real corpus (~10 min)"
	@echo "make serve  start the model-serving API on port 8000 (after make demo)"
	@echo "make bench  the performance table, written to docs/performance.md (after make demo)"
	@echo "make bench-smoke  the same bench with tiny counts: does it still run? (about 2 min)"
	@echo "make bench-load   every service under 32 clients with wrk"
	@echo "make bench-storage  SQLite and Cassandra side by side"
	@echo "make images redraw the diagrams in images/ and copy the browser tests' latest screenshots"
	@echo "make cassandra        start a local Apache Cassandra node on 127.0.0.1:9042 (Java 17 + Maven)"
	@echo "make cassandra-stop   stop it (its data stays in local_data/cassandra)"
	@echo "make clean  remove generated data, models and the feature store's local files"

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(CHECK_PYTHON)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --editable . --config-settings editable_mode=compat
	touch $(STAMP)

# The web app's node packages, from its lock file; npm's cache first, the registry for the rest.
web-setup: $(WEB_APP)/node_modules/.package-lock.json

$(WEB_APP)/node_modules/.package-lock.json: $(WEB_APP)/package.json $(WEB_APP)/package-lock.json
	@command -v npm >/dev/null || { echo "make: npm is missing: install Node.js 20 or newer" >&2; exit 1; }
	cd $(WEB_APP) && npm ci --prefer-offline --no-audit --no-fund

chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium for the end-to-end test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "make: no chromium at $(CHROMIUM); the end-to-end test will be skipped." >&2; \
		echo "      Install it (sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium." >&2; \
	fi

# make bench (its concurrency rows) and make bench-load drive the services with Debian's wrk.
wrk:
	@if command -v wrk >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing wrk for the load bench"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
		echo "make: wrk is missing; the load bench will be skipped." >&2; \
		echo "      Install it (sudo apt-get install wrk)." >&2; \
	fi

# The corpus: SMS_RAW_DATASET, or the download; a valid corpus already there is kept.
data: $(RAW)

$(RAW):
	@$(CHECK_PYTHON)
	@$(BOOT_PY) -m scripts.get_raw_data || { \
		echo >&2; \
		echo "make: the corpus is needed first. Name a copy of it (a CSV with sms_id,text,label):" >&2; \
		echo "  make $(or $(MAKECMDGOALS),data) SMS_RAW_DATASET=$(CORPUS_HINT)" >&2; \
		exit 2; }

features: $(SOURCES1) $(SOURCES2)

# The v1 features, the labels and the split (sms_splits.parquet), then the data checks.
$(SOURCES1): $(RAW) analysis/features1/cue_words.json | $(STAMP)
	$(PY) scripts/create_offline_sources_1.py
	$(PY) -m analysis.data_checks --splits offline_data/sms_splits.parquet

$(TOKENIZER): $(RAW) $(SOURCES1) | $(STAMP)
	$(PY) scripts/create_tokenizer_2.py

$(SOURCES2): $(TOKENIZER) $(SOURCES2_MISSING) | $(STAMP)
	$(PY) scripts/create_offline_sources_2.py

# The latest stage of the story; each stage keeps the objects of the ones before it. `make apply`
# applies it again; the file target does it once, when the sources or the definitions change.
apply: setup
	FEAST_STORE_STAGE=2021 $(FEAST) -c $(FEATURE_REPO) apply
	@touch $(APPLIED)

$(APPLIED): $(SOURCES1) $(SOURCES2) $(FEATURE_REPO)/feature_definitions.py | $(STAMP)
	FEAST_STORE_STAGE=2021 $(FEAST) -c $(FEATURE_REPO) apply
	@touch $@

# Each model is trained once its features are in the store, and again when they change.
models: $(MODELS)

$(MODEL1): $(SOURCES1) | $(STAMP) $(APPLIED)
	$(PY) -m training.run_notebook $(NOTEBOOK1)

$(MODEL2): $(SOURCES2) $(TOKENIZER) | $(STAMP) $(APPLIED)
	$(PY) -m training.run_notebook $(NOTEBOOK2)

$(MODEL3): $(SOURCES2) $(TOKENIZER) | $(STAMP) $(APPLIED)
	$(PY) -m training.run_notebook $(NOTEBOOK3)

# The chapters' commands: each trains its own model, from the feature store as it stands.
train-1: setup
	$(PY) -m training.run_notebook $(NOTEBOOK1)

train-2: setup
	$(PY) -m training.run_notebook $(NOTEBOOK2)

train-3: setup
	$(PY) -m training.run_notebook $(NOTEBOOK3)

train: setup
	$(PY) -m training.run_notebook $(NOTEBOOK1) $(NOTEBOOK2) $(NOTEBOOK3)

# The comparison behind model v3's network: every candidate, three seeds, printed as tables.
.PHONY: compare
compare: setup
	$(PY) -m training.model3_2021.compare_seeds

init: setup
	$(PY) scripts/initialize_model_serving_api_caches.py
	$(PY) scripts/initialize_user_api_data.py

serve: setup
	SPAM_MODEL_VERSIONS="$${SPAM_MODEL_VERSIONS:-v1,v2,v3}" $(VENV)/bin/uvicorn api.model_serving.model_serving_api:app

# Feast's feature server, the four services and the web app (model v3, architecture II), on
# SQLite, after building whatever is missing (the corpus first, before anything is installed);
# `make stack STORE=cassandra` puts the online store and the tables in Cassandra (the cluster in
# .env, or the local node). STACK_ARGS passes more options (--port-offset N, ...).
STORE ?= sqlite
stack: $(RAW) $(MODELS) web-setup
	$(PY) scripts/run_stack.py --store $(STORE) $(STACK_ARGS)

demo: $(RAW) $(MODELS) init
	@echo
	@echo "Chapters 1 (2019), 2 (2020) and 3 (2021) are ready:"
	@echo "  raw corpus        raw_data/raw_dataset.csv"
	@echo "  offline sources   offline_data/sms_features1.parquet, sms_labels.parquet, sms_features2.parquet"
	@echo "  feature store     $(FEATURE_REPO) (project sms_spam_store, stage 2021)"
	@echo "  models            models/model1_2019/, model2_2020/, model3_2021/ (metadata.json holds the metrics)"
	@$(PY) -c 'import json; m = json.load(open("$(MODEL1)"))["metrics"]; print("  v1 on the test split: " + ", ".join(f"{k} {v:.3f}" for k, v in m.items()))'
	@$(PY) -c 'import json; m = json.load(open("$(MODEL2)"))["metrics"]; print("  v2 on the test split: " + ", ".join(f"{k} {v:.3f}" for k, v in m.items()))'
	@$(PY) -c 'import json; m = json.load(open("$(MODEL3)"))["metrics"]; print("  v3 on the test split: " + ", ".join(f"{k} {v:.3f}" for k, v in m.items()))'
	@echo "  services          tables ready, sample inboxes loaded; start everything with: make stack"

# The web app's lint (ESLint) and unit tests (Vitest), then every Python test, the browser test
# included.
# pytest exits with 5 when it collected no test: that is a broken suite, and is reported so.
test: setup web-setup chromium
	cd $(WEB_APP) && npm run lint && npm test
	@$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	exit $$status

# The fast part, for while you work: no server started, no model trained.
test-unit: setup
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# The whole performance table in one run, each row beside its baseline, printed and written to
# docs/performance.md (BENCH_ARGS passes more options, e.g. --note "machine shared").
bench: setup wrk
	$(PY) scripts/bench_report.py $(BENCH_ARGS)

# The same code with tiny counts: proves that the bench still runs; writes no document.
bench-smoke: setup wrk
	$(PY) scripts/bench_report.py --smoke

# Every service under many clients at once with wrk (30 s per scenario).
bench-load: setup wrk
	$(PY) scripts/bench_load.py

# SQLite and Cassandra side by side (the cluster in .env, or the project's local node).
bench-storage: setup
	$(PY) scripts/bench_storage.py

lint: setup web-setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy api analysis model_artifacts training scripts
	$(VENV)/bin/lint-imports
	cd $(WEB_APP) && npm run lint

# The diagrams: images/src/NAME.dot drawn into images/NAME.svg by Graphviz's dot layout, from the
# dev requirements' graphviz-pure (the same output on every machine). DOT=dot uses a system
# Graphviz instead. Then the browser tests' latest screenshots (make test, or pytest tests/e2e).
DOT ?= $(VENV)/bin/graphviz-pure
SCREENSHOTS := sms_app.png sms_app_architecture_2.png feast_ui.png
images: setup
	@for source in images/src/*.dot; do \
		target=images/$$(basename $$source .dot).svg; \
		$(DOT) -Tsvg $$source -o $$target || exit 1; \
		echo "drew $$target"; \
	done
	@for name in $(SCREENSHOTS); do \
		if [ -f "$(SCREENSHOT_DIR)/$$name" ]; then \
			cp "$(SCREENSHOT_DIR)/$$name" images/$$name && echo "copied $(SCREENSHOT_DIR)/$$name"; \
		else \
			echo "make images: no $(SCREENSHOT_DIR)/$$name yet; the browser tests save it (pytest tests/e2e)" >&2; \
		fi; \
	done

# A single Apache Cassandra node from Maven Central's jars (scripts/cassandra/), data in
# local_data/cassandra. Starting it again while it runs does nothing.
cassandra: setup
	$(PY) -m scripts.cassandra.local_node start

cassandra-status:
	@$(if $(wildcard $(PY)),$(PY),$(PYTHON)) -m scripts.cassandra.local_node status

cassandra-stop:
	$(if $(wildcard $(PY)),$(PY),$(PYTHON)) -m scripts.cassandra.local_node stop

clean:
	rm -rf offline_data/*.parquet $(SOURCES2) models/model*_* $(FEATURE_REPO)/data local_data
