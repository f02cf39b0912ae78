# The two entry points of the README: `make run` and `make test`. Both install the Debian packages
# the build needs (libcoap with GnuTLS, its command-line tools, SQLite) when they are missing.

APT_PACKAGES := pkg-config libcoap3-dev libcoap3-bin libsqlite3-dev libgnutls28-dev openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift
DATA_DIR ?= ./data
ARGS ?=

.PHONY: deps test-python test-browser screenshots build release run test sim bench bench-firmware bench-fleet fuzz-build fuzz storm schemathesis clean

deps:
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6.2 or newer is required (https://www.swift.org/install/linux/)"; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Runs the server with the embedded SQLite store in $(DATA_DIR); extra flags via ARGS="--coap-port 5684 ...".
run: release
	.build/release/lwm2m-server --data-dir $(DATA_DIR) $(ARGS)

# Runs a simulator against a local server: make sim ARGS="--count 100".
sim: release
	.build/release/lwm2m-sim $(ARGS)

# aiocoap (PyPI, pinned) in a virtual environment under .build, for the end-to-end tests that drive an
# independent CoAP implementation (Tests/aiocoap).
TEST_PYTHON := .build/test-python
AIOCOAP_VERSION := 0.4.17

test-python:
	@python3 -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "Installing Debian packages: python3 python3-venv"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y python3 python3-venv; }
	@$(TEST_PYTHON)/bin/python3 -c 'import aiocoap.meta, sys; sys.exit(aiocoap.meta.version != "$(AIOCOAP_VERSION)")' 2>/dev/null || { \
	  python3 -m venv $(TEST_PYTHON) && $(TEST_PYTHON)/bin/pip install -q aiocoap==$(AIOCOAP_VERSION); }

# Debian's chromium, for the dashboard tests (headless, driven over the DevTools protocol).
test-browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian package: chromium"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium; }

# The dashboard's screenshots in the README (docs/screenshots), taken by its browser test.
screenshots: deps test-browser
	$(SWIFT) build --build-tests
	LWM2M_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(SWIFT) test --skip-build --no-parallel --filter '$(BROWSER_TESTS)'

# The whole test suite: unit tests and end-to-end tests against the real server, simulator, coap-client and
# aiocoap, then every fuzz target for a few seconds under libFuzzer and AddressSanitizer: a fixed number of
# inputs from a fixed seed, so that the same tree always fuzzes the same inputs (long runs: make fuzz).
FUZZ_SMOKE_RUNS ?= 20000
BROWSER_TESTS := DashboardEndToEndTests|DashboardAccessibilityTests
SCHEMATHESIS_SMOKE_EXAMPLES ?= 10
test: deps test-python test-browser
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(BROWSER_TESTS)'
	@# The browser tests on their own: chromium beside the timing-sensitive suites starves them on 2 cores.
	$(SWIFT) test --skip-build --no-parallel --filter '$(BROWSER_TESTS)'
	@# The OpenAPI document against the server: schemathesis, pinned, a fixed seed (make schemathesis for more).
	scripts/schemathesis.sh $(SCHEMATHESIS_SMOKE_EXAMPLES) 1
	$(MAKE) fuzz-build
	FUZZ_RUNS=$(FUZZ_SMOKE_RUNS) scripts/fuzz.sh 0

# The fuzz driver with libFuzzer and AddressSanitizer, in its own scratch path (lld links it: gold cannot).
fuzz-build: deps
	$(SWIFT) build --scratch-path .build-fuzz --product lwm2m-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld

# Every fuzz target for SECONDS seconds each: make fuzz SECONDS=600 (TARGETS="tlv cbor" for some only).
SECONDS ?= 60
TARGETS ?=
fuzz: fuzz-build
	scripts/fuzz.sh $(SECONDS) $(TARGETS)

# Notification-ingest benchmark (not part of the test suite): make bench ARGS="1000 20".
bench: deps
	scripts/bench.sh $(ARGS)

# Firmware delivery benchmark (not part of the test suite): make bench-firmware ARGS="1000 256 50".
bench-firmware: deps
	scripts/bench-firmware.sh $(ARGS)

# The fleet list with many endpoints (not part of the test suite): make bench-fleet ARGS=10000.
bench-fleet: deps
	scripts/bench-fleet.sh $(ARGS)

# The datagram storm at full size (make test sends 20,000): make storm STORM=1000000 [STORM_SEED=...].
STORM ?= 1000000
STORM_SEED ?=
storm: deps
	$(SWIFT) build --build-tests
	LWM2M_STORM_DATAGRAMS=$(STORM) $(if $(STORM_SEED),LWM2M_STORM_SEED=$(STORM_SEED)) \
	  $(SWIFT) test --skip-build --filter StormEndToEndTests

# schemathesis 4.32 over the whole OpenAPI document against the real server and three simulated devices (make test
# runs it with 10 examples per operation): make schemathesis [EXAMPLES=20] [SEED=1]. Exits non-zero on any finding.
EXAMPLES ?= 20
SEED ?= 1
schemathesis: deps
	scripts/schemathesis.sh $(EXAMPLES) $(SEED)

clean:
	rm -rf .build
