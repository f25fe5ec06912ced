# ring-sim: one entry point for setup, build, demo, tests and benchmarks.
SHELL := /bin/bash
DEBIAN_PACKAGES := duktape duktape-dev dbus valgrind gcc libc6-dev tshark cmake python3 g++ make git libxml2-utils chromium bsdutils
NODE := node
DEMO_FIXTURE := fixtures/synth/synth-rest.ringfx
# Stamps under build/ stand for outputs under dist/: a removed dist/ (not `make clean`)
# must rebuild them, not leave the stamp saying they are there. FORCE when any is missing.
unless-present = $(if $(strip $(foreach f,$(1),$(if $(wildcard $(f)),,missing))),FORCE)
.PHONY: FORCE
FORCE:
# The `ring` command as users get it (package.json's bin): built by `make build`, below.
CLI_BUNDLE := dist/bin/ring.js
CLI_SOURCES := $(shell find host sim protocol firmware engines tools -name '*.ts' -not -name '*.d.ts' 2>/dev/null)

.PHONY: firmware-motion all setup deps npm build demo test test-long bench firmware duk clean dissector

all: build

# Debian packages the tests need (real engines, not stand-ins). Installs only what is missing.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing" >&2; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# npm ci installs exactly package-lock.json: only a change to it calls for a reinstall (an
# edit to package.json's scripts or tap settings does not). --prefer-offline takes packages
# from npm's cache without asking the registry whether they changed: the lock file pins each
# one by version and integrity hash, so the answer is always "no".
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --prefer-offline
	@touch $@

# tap builds its Test class for the plugins package.json's tap config names, and rebuilds
# it before running tests when they differ from what is built: after each npm ci (whose copy
# is built for tap's default plugins) that takes ~10 s of CPU. Done here, it runs beside the
# tsc builds (test-builds) instead of before the first test file; the per-user build cache
# (scripts/engine-cache.sh) keeps what it built (node_modules/@tapjs/test/test-built), keyed
# by tap's version, the plugin list and Node's version, so the next fresh clone copies it.
TAP_BUILT := node_modules/.cache/ring-tap-built
$(TAP_BUILT): node_modules/.package-lock.json
	@key=$$( { cat node_modules/@tapjs/test/package.json; node -p "JSON.stringify(require('./package.json').tap)"; node --version; } | sha256sum | cut -c1-16); \
	  scripts/engine-cache.sh restore "$$key" tap-built node_modules/@tapjs/test \
	  || { node_modules/.bin/tap build && scripts/engine-cache.sh save "$$key" tap-built node_modules/@tapjs/test test-built; }
	@mkdir -p $(dir $@) && touch $@

npm: node_modules/.package-lock.json

setup: deps npm

# Two TypeScript compilers. TypeScript 6 (tsc) has what the native compiler lacks: the
# compiler API (the subset checker, engines/bundle.mjs) and the ES5 target (the firmware
# builds). TypeScript 7, the native port of the same compiler (tsgo, package
# @typescript/native-preview, the build of the day before the 7.0.2 release, which tap's own
# build tool already installs: no second 30 MB binary for npm ci to unpack), type-checks and
# emits the host, the simulator and the tools (the NodeNext/ES2022 build, whose output is
# byte for byte what TypeScript 6 writes) and type-checks the tests: ~2.5 s of CPU against 16 s.
TSC := node_modules/typescript/bin/tsc
TSC_NATIVE := node_modules/@typescript/native-preview/bin/tsgo

# Incremental: tsc --build keeps dist/.tsbuildinfo and rebuilds only what changed (a
# no-change build takes a tenth of a second). Its own target (build-host), so under make -j
# it runs beside the ES5 firmware builds that `build` also asks for.
.PHONY: build-host
build: npm build-host $(CLI_BUNDLE)

build-host: npm
	$(TSC_NATIVE) --build tsconfig.json
	@chmod +x dist/host/cli/main.js

# The `ring` command (package.json's bin) as one esbuild bundle: a command loads a few
# files instead of the tsc build's hundred-odd modules, about a fifth less CPU per run.
# Chunks are split per command (each loads only its own, as commands.ts intends); the
# worker threads' entry points sit beside them under fixed names (host/bundle.ts). The
# packages are bundled too (Node resolving and loading commander, pino and cbor-x from
# node_modules was a tenth of a command's start-up), all but the BlueZ client's, which
# only `--ble` loads; `require` is given to the CommonJS ones. Types are checked by the
# tsc build above. esbuild keeps the entry's #! line; the execute bit is ours to set.
$(CLI_BUNDLE): $(CLI_SOURCES) package-lock.json | node_modules/.package-lock.json
	@rm -rf dist/bin
	node_modules/.bin/esbuild ring=host/cli/main.ts ci-worker=host/ci/worker.ts sim-ring-worker=host/transport/sim-ring-worker.ts \
	  --bundle --splitting --format=esm --platform=node --target=node20 --external:node-ble --external:dbus-next \
	  --banner:js="import { createRequire as ringCreateRequire } from 'node:module'; const require = ringCreateRequire(import.meta.url);" \
	  --define:RING_BUNDLED=true --chunk-names=chunk-[hash] --outdir=dist/bin --log-level=warning
	@chmod +x $@

demo: setup build
	$(NODE) $(CLI_BUNDLE) replay $(DEMO_FIXTURE)
	$(NODE) $(CLI_BUNDLE) score fixtures/synth

# Tests run as JavaScript: `make test` compiles every TypeScript file of the repository
# into build/tsjs/ in one esbuild pass (type stripping only: types are checked by the tsc
# build) and runs tap over the compiled tests. Loading TypeScript through a module hook
# instead (scripts/ts-loader.mjs, for running one test from source) costs each of the ~110
# test processes a third of a second or more of CPU; scripts/tap-child.mjs also keeps tap's
# process tracker out of them. Tests keep inline source maps (tap runs them with
# --enable-source-maps), so a failure names the line of the .ts file; the summary names the
# .ts files too (scripts/tap-summary.mjs: one line per file plus failures).
# The compiled tests import tap as one bundled module (build/tsjs/node_modules/tap, built
# from tap's own files after `tap build` has built its plugins in): Node resolving and
# loading tap's ~70 modules one by one was about 0.07 s of each test process's 0.29 s of
# start-up CPU. Tests run from source import node_modules' tap as before.
# `make test` runs a seeded subset of the long sweeps (RING_TEST_SEED); `make test-long`
# runs them whole. .ci/run runs both.
TEST_JS := build/tsjs
TEST_JS_STAMP := $(TEST_JS)/.built
TS_ALL := $(shell find host sim protocol firmware engines tools bench duk scripts test -name '*.ts' -not -name '*.d.ts' -not -path 'test/checker/cases/*' 2>/dev/null)
$(TEST_JS_STAMP): $(TS_ALL) $(TAP_BUILT) | node_modules/.package-lock.json
	@rm -rf $(TEST_JS)
	@node_modules/.bin/esbuild $(filter-out test/%,$(TS_ALL)) --outdir=$(TEST_JS) --outbase=. --format=esm --platform=node --target=node20 --log-level=warning
	@node_modules/.bin/esbuild $(filter test/%,$(TS_ALL)) --outdir=$(TEST_JS) --outbase=. --format=esm --platform=node --target=node20 --sourcemap=inline --log-level=warning
	@node_modules/.bin/esbuild node_modules/tap/dist/esm/index.js --bundle --format=esm --platform=node --target=node20 --log-level=warning \
	  --banner:js="import { createRequire as tapCreateRequire } from 'node:module'; const require = tapCreateRequire(import.meta.url);" \
	  --outfile=$(TEST_JS)/node_modules/tap/index.mjs
	@echo '{ "name": "tap", "private": true, "type": "module", "exports": { ".": "./index.mjs" } }' > $(TEST_JS)/node_modules/tap/package.json
	@touch $@
# The tests' types, checked (the esbuild pass above only strips them): a test that calls a
# function with arguments it no longer takes fails here, by name and line, not as a
# confusing assertion. Incremental (build/tests.tsbuildinfo); TypeScript 7, ~2 s of CPU.
TESTS_CHECKED := build/.tests-checked
$(TESTS_CHECKED): $(TS_ALL) tsconfig.tests.json tsconfig.json | node_modules/.package-lock.json
	@mkdir -p build
	$(TSC_NATIVE) -p tsconfig.tests.json
	@touch $@
tests-js = $(patsubst %.ts,$(TEST_JS)/%.js,$(1))
# Test files at once: two more than the cores, since some files wait on real time (the BLE
# tests' stand-in rings run at the wall clock's pace, and spend CPU for as long as they wait)
# while the others compute: on 2 cores, idle, 4 jobs took 139 and 147 s where 3 took 180 and
# 182 s in alternating runs (3 had beaten 2 before). TEST_JOBS=n overrides it.
TEST_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 2 )))
TAP_RUN := NODE_OPTIONS="--import=$(CURDIR)/scripts/tap-child.mjs $$NODE_OPTIONS" node_modules/.bin/tap --reporter=./scripts/tap-summary.mjs --jobs=$(TEST_JOBS)
# Two tiers. `make test` is the edit-build-test loop: every module's tests, the engines'
# differential runs, accuracy on the real recordings, and each command from the shell, with
# the long tables on a seeded subset (test/helpers/long.ts). The files below run only in
# `make test-long` (or `make faults`), whole: end-to-end scenarios that replay hours of
# recording or run in real time against the BlueZ stand-in, and the fault sweeps, each beside
# a faster test of the same code in `make test` (named after each). .ci/run runs all three.
LONG_ONLY_TESTS := \
  test/replay/memory.test.ts \
  test/ble/ble-faults.test.ts \
  test/cli/progress-tty.test.ts \
  test/cli/readme.test.ts \
  test/cli/share-flow.test.ts \
  test/wellness/together.test.ts \
  test/wellness/sharing.test.ts \
  test/store/log-fault-sweep.test.ts
# memory: a day replayed and scored for peak memory (replay/ndjson-stream, host/score-match-stream)
# ble-faults: drops, vanishing rings, refused writes, setup errors over BlueZ (ble/ble-equal, host/client-ring)
# progress-tty: needs recordings of an hour and more (cli/replay's non-TTY silence)
# readme: every README line run as written (cli/commands, the commands' own tests)
# share-flow: pair, grant, revoke across three hosts (auth/sharing, auth/session)
# together, sharing: rings replayed together for hours (wellness/cli, wellness/history)
# log-fault-sweep: power cuts in the flash log (store/log-store; `make faults` runs all 19,374)
FAULTS_TESTS := test/image/power-loss.test.ts test/image/link-drop.test.ts
LONG_TESTS := test/cli/device-cli.test.ts test/cli/score.test.ts test/duk/differential.test.ts test/cli/wrong-values.test.ts test/cli/pipes-signals.test.ts test/wellness/score.test.ts test/wellness/cli.test.ts \
  test/engines/whole-firmware.test.ts test/cli/hostile-input.test.ts test/ci/ci-config.test.ts test/cli/replay.test.ts test/host/client-ring.test.ts test/debug/time-sync.test.ts $(LONG_ONLY_TESTS)

# What the tests load, built side by side: the host's tsc build (the slowest single step)
# beside the ES5 firmware builds (type check, engine bundles, image payload, the Duktape
# bundles and host), tap's own, and with ../shared the embedded engines and snapshots. The
# tests would build what is missing themselves, one at a time under a lock while a tap job
# waits; here the builds share the cores before any test starts. One job more than the
# cores: the firmware builds are chains (type check, emit, bundle), so a core would
# otherwise idle while a chain's next step waits for a slot. BUILD_JOBS=n overrides it.
BUILD_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
.PHONY: test-builds
test-builds: setup
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) build firmware-image firmware-motion duk $(TAP_BUILT) $(TEST_JS_STAMP) $(TESTS_CHECKED) \
	  $(if $(wildcard $(JERRY_TAR)),engines engines-snapshots)

test: test-builds
	$(TAP_RUN) $(call tests-js,$(filter-out $(LONG_ONLY_TESTS) $(FAULTS_TESTS),$(filter %.test.ts,$(TS_ALL))))

test-long: test-builds
	RING_TEST_LONG=1 $(TAP_RUN) $(call tests-js,$(LONG_TESTS))

bench: setup build
	$(NODE) dist/bench/main.js

# The firmware as one ES5 script for embedded engines (docs/firmware-subset.md): tsc lowers
# to ES5 with ES2015 modules, esbuild bundles them into an IIFE; duk/firmware-entry.js puts
# ring_boot and ring_on_sensor_irq on the global RingFirmware. The same sources are also
# bundled for Node (ES2022, one file, so each import of it is a fresh firmware) for the
# Node-vs-Duktape differential test (test/duk/differential.test.ts).
FIRMWARE_ES5 := dist/firmware.es5.js
FIRMWARE_ES5_MIN := dist/firmware.es5.min.js
FIRMWARE_NODE := build/firmware-node/main.mjs
ES5_BUNDLE_FLAGS := --bundle --format=iife --target=es5 --banner:js='var RingFirmware = {};' --log-level=warning
DUK_HOST := build/duk-ring

# Tests build these from parallel processes: one at a time (flock, util-linux), or one
# build's `rm -rf build/firmware-es5` pulls the sources from under the other's bundler.
FIRMWARE_LOCK := flock build/.firmware.lock $(MAKE) --no-print-directory
.PHONY: firmware-locked firmware-motion-locked

# The type check first, here: the locked make would otherwise run it a second time beside
# the outer make's own (build and firmware-image need it too).
firmware: build/.engines-checked
	+@mkdir -p build && $(FIRMWARE_LOCK) firmware-locked

# Rebuilt when a source changes ($(FIRMWARE_NODE), written last, is the stamp): the
# differential tests ask for it on every run.
FIRMWARE_DEPS := $(shell find firmware protocol -name '*.ts' 2>/dev/null) engines/bundle.mjs tsconfig.firmware.json

firmware-locked: $(FIRMWARE_NODE)

# The type check is build/.engines-checked's ($(ENGINES_CHECKED), below: the whole
# firmware, which imports firmware/main.ts and firmware/dsp/motion.ts, with these options):
# tsc here only emits.
$(FIRMWARE_NODE): $(FIRMWARE_DEPS) duk/firmware-entry.js build/.engines-checked $(call unless-present,$(FIRMWARE_ES5) $(FIRMWARE_ES5_MIN))
	@test -x $(TSC) && test -x node_modules/.bin/esbuild || { echo "make firmware: node_modules missing: run 'make setup'" >&2; exit 1; }
	@rm -rf build/firmware-es5 && mkdir -p dist build/firmware-node
	$(TSC) -p tsconfig.firmware.json --noCheck
	@# The two scripts at once (one process each; this recipe runs under the firmware lock).
	$(BUNDLE) duk/firmware-entry.js $(FIRMWARE_ES5) --inline --banner 'var RingFirmware = {};' & raw=$$!; \
	  $(BUNDLE) duk/firmware-entry.js $(FIRMWARE_ES5_MIN) --min --banner 'var RingFirmware = {};' & min=$$!; \
	  wait $$raw; r1=$$?; wait $$min; r2=$$?; test $$r1 -eq 0 && test $$r2 -eq 0
	node_modules/.bin/esbuild firmware/main.ts --bundle --format=esm --platform=neutral --target=es2022 --log-level=warning --outfile=$(FIRMWARE_NODE)
	@echo "firmware bundle: $(FIRMWARE_ES5) $$(wc -c < $(FIRMWARE_ES5)) bytes raw, $(FIRMWARE_ES5_MIN) $$(wc -c < $(FIRMWARE_ES5_MIN)) bytes minified"

# The same pipeline with the motion heart-rate tracker attached (as firmware/ring.ts runs
# it), for Duktape and Node: measured and compared apart from the budgeted bundle above.
FIRMWARE_MOTION_ES5 := dist/firmware-motion.es5.min.js
FIRMWARE_MOTION_NODE := build/firmware-node/motion.mjs

firmware-motion: build/.engines-checked
	+@mkdir -p build && $(FIRMWARE_LOCK) firmware-locked firmware-motion-locked

firmware-motion-locked: $(FIRMWARE_MOTION_NODE)

# After the plain firmware: its build empties build/firmware-es5, where this one emits too.
$(FIRMWARE_MOTION_NODE): $(FIRMWARE_NODE) $(call unless-present,$(FIRMWARE_MOTION_ES5)) $(FIRMWARE_DEPS) duk/firmware-motion-entry.js duk/firmware-motion-node.ts tsconfig.firmware-motion.json
	$(TSC) -p tsconfig.firmware-motion.json --noCheck
	node_modules/.bin/esbuild duk/firmware-motion-entry.js $(ES5_BUNDLE_FLAGS) --minify --outfile=$(FIRMWARE_MOTION_ES5)
	node_modules/.bin/esbuild duk/firmware-motion-node.ts --bundle --format=esm --platform=neutral --target=es2022 --log-level=warning --outfile=$(FIRMWARE_MOTION_NODE)

# The Duktape host that runs the bundle with heap accounting (duk/host.c).
duk: $(DUK_HOST)

$(DUK_HOST): duk/host.c engines/host-common.h
	@command -v gcc >/dev/null || { echo "make duk: gcc is missing: run 'make deps'" >&2; exit 1; }
	@echo '#include <duktape.h>' | gcc -E - >/dev/null 2>&1 || { echo "make duk: duktape.h is missing (Debian duktape-dev): run 'make deps'" >&2; exit 1; }
	@mkdir -p build
	gcc -std=c11 -O2 -Wall -Wextra -Werror -o $@ duk/host.c -lduktape -lm

# The Wireshark Lua dissector, generated from the protocol's tables (tools/wireshark/README.md).
dissector: build
	$(NODE) $(CLI_BUNDLE) dissector -o tools/wireshark/ring-sim.lua

clean:
	rm -rf dist build .tap

# ---- Embedded engines: JerryScript and Espruino built from ../shared/engines (issue 14) ----
# Unmodified upstream sources, extracted and built under build/engines/ once (each target
# exists only when missing: the builds take a minute on 2 cores). Never committed.
ENGINES_SRC := ../shared/engines
JERRY_TAR := $(ENGINES_SRC)/jerryscript-50200152.tar.xz
ESPRUINO_TAR := $(ENGINES_SRC)/espruino-c5ff787b-no-targetlibs.tar.xz
ENGINES_BUILD := build/engines
JERRY_SRC := $(ENGINES_BUILD)/jerryscript-src
# Two JerryScript builds of the same sources: "tool" (512 KB heap, the largest 16-bit
# compressed pointers address) generates snapshots on the workstation and measures
# firmwares that do not fit; "mcu" is the microcontroller build, a fixed 64 KB heap.
JERRY_TOOL := $(ENGINES_BUILD)/jerry-tool
JERRY_MCU := $(ENGINES_BUILD)/jerry-mcu
JERRY_COMMON_FLAGS := --mem-stats=on --snapshot-exec=on --error-messages=on --logging=off --line-info=off \
  --jerry-cmdline=off --jerry-ext=on --jerry-port=on --jerry-math=off --lto=off -j 2
JERRY_SNAPSHOT_TOOL := $(JERRY_TOOL)/bin/jerry-snapshot
JERRY_HOST := build/jerry-ring
JERRY_HOST_TOOL := build/jerry-ring-512k
ESPRUINO_DIR := $(ENGINES_BUILD)/espruino
ESPRUINO_BIN := $(ESPRUINO_DIR)/bin/espruino
ESPRUINO_MAKE_FLAGS := BOARD=LINUX RELEASE=1 OPTIMIZEFLAGS=-Os
# The per-user build cache (scripts/engine-cache.sh): its key names the tarballs (their
# names carry the upstream commit) and sizes, the flags, the compiler and the machine.
ENGINE_CACHE := scripts/engine-cache.sh
ENGINES_KEY := $(shell { ls -l $(JERRY_TAR) $(ESPRUINO_TAR) 2>/dev/null | awk '{print $$5, $$NF}'; \
  echo '$(JERRY_COMMON_FLAGS) | $(ESPRUINO_MAKE_FLAGS)'; gcc -dumpfullversion 2>/dev/null; uname -m; } | sha256sum | cut -c1-16)

.PHONY: engines jerryscript espruino

engines: jerryscript espruino duk

jerryscript: $(JERRY_HOST) $(JERRY_HOST_TOOL) $(JERRY_SNAPSHOT_TOOL)

espruino: $(ESPRUINO_BIN)

$(JERRY_SRC)/CMakeLists.txt:
	@test -f $(JERRY_TAR) || { echo "make jerryscript: $(JERRY_TAR) is missing (the engines' sources live in ../shared/engines)" >&2; exit 1; }
	@rm -rf $(JERRY_SRC) $(JERRY_SRC).tmp && mkdir -p $(JERRY_SRC).tmp
	tar -xJf $(JERRY_TAR) -C $(JERRY_SRC).tmp
	mv $(JERRY_SRC).tmp/jerryscript $(JERRY_SRC) && rmdir $(JERRY_SRC).tmp

$(JERRY_SNAPSHOT_TOOL): | $(JERRY_SRC)/CMakeLists.txt
	@$(ENGINE_CACHE) restore $(ENGINES_KEY) jerry-tool $(JERRY_TOOL) || { \
	  python3 $(JERRY_SRC)/tools/build.py --builddir=$(abspath $(JERRY_TOOL)) $(JERRY_COMMON_FLAGS) \
	    --mem-heap=512 --snapshot-save=on --jerry-cmdline-snapshot=on >$(ENGINES_BUILD)/jerry-tool.log 2>&1 \
	    || { tail -30 $(ENGINES_BUILD)/jerry-tool.log >&2; exit 1; }; \
	  $(ENGINE_CACHE) save $(ENGINES_KEY) jerry-tool $(JERRY_TOOL) bin lib; }

$(JERRY_MCU)/lib/libjerry-core.a: | $(JERRY_SRC)/CMakeLists.txt
	@$(ENGINE_CACHE) restore $(ENGINES_KEY) jerry-mcu $(JERRY_MCU) || { \
	  python3 $(JERRY_SRC)/tools/build.py --builddir=$(abspath $(JERRY_MCU)) $(JERRY_COMMON_FLAGS) \
	    --mem-heap=64 --snapshot-save=off --jerry-cmdline-snapshot=off >$(ENGINES_BUILD)/jerry-mcu.log 2>&1 \
	    || { tail -30 $(ENGINES_BUILD)/jerry-mcu.log >&2; exit 1; }; \
	  $(ENGINE_CACHE) save $(ENGINES_KEY) jerry-mcu $(JERRY_MCU) lib; }

JERRY_HOST_CFLAGS = -std=c11 -O2 -Wall -Wextra -Werror -I$(JERRY_SRC)/jerry-core/include -I$(JERRY_SRC)/jerry-ext/include

$(JERRY_HOST): engines/jerryscript/host.c engines/host-common.h $(JERRY_MCU)/lib/libjerry-core.a
	gcc $(JERRY_HOST_CFLAGS) -DJERRY_RING_HEAP_KB=64 -o $@ engines/jerryscript/host.c \
	  -L$(JERRY_MCU)/lib -ljerry-ext -ljerry-core -ljerry-port -lm

$(JERRY_HOST_TOOL): engines/jerryscript/host.c engines/host-common.h $(JERRY_SNAPSHOT_TOOL)
	gcc $(JERRY_HOST_CFLAGS) -DJERRY_RING_HEAP_KB=512 -o $@ engines/jerryscript/host.c \
	  -L$(JERRY_TOOL)/lib -ljerry-ext -ljerry-core -ljerry-port -lm

# Per-function CPU profile of the firmware on JerryScript (engines/profile.ts): the tool
# build's sources with each JavaScript function's frame run through its own C function
# (engines/jerryscript/profile-patch.py), for callgrind. Not used by tests or the bench.
JERRY_PROF_SRC := $(ENGINES_BUILD)/jerry-prof-src
JERRY_PROF := $(ENGINES_BUILD)/jerry-prof
JERRY_HOST_PROF := build/jerry-ring-prof
.PHONY: jerry-profile
jerry-profile: $(JERRY_HOST_PROF)

$(JERRY_PROF)/lib/libjerry-core.a: engines/jerryscript/profile-patch.py | $(JERRY_SRC)/CMakeLists.txt
	rm -rf $(JERRY_PROF_SRC) && cp -r $(JERRY_SRC) $(JERRY_PROF_SRC)
	python3 engines/jerryscript/profile-patch.py $(JERRY_PROF_SRC)
	python3 $(JERRY_PROF_SRC)/tools/build.py --builddir=$(abspath $(JERRY_PROF)) $(JERRY_COMMON_FLAGS) \
	  --mem-heap=512 --snapshot-save=off --jerry-cmdline-snapshot=off >$(ENGINES_BUILD)/jerry-prof.log 2>&1 \
	  || { tail -30 $(ENGINES_BUILD)/jerry-prof.log >&2; exit 1; }

$(JERRY_HOST_PROF): engines/jerryscript/host.c engines/host-common.h $(JERRY_PROF)/lib/libjerry-core.a
	gcc -std=c11 -O2 -Wall -Wextra -Werror -I$(JERRY_PROF_SRC)/jerry-core/include -I$(JERRY_PROF_SRC)/jerry-ext/include \
	  -DJERRY_RING_HEAP_KB=512 -o $@ engines/jerryscript/host.c -L$(JERRY_PROF)/lib -ljerry-ext -ljerry-core -ljerry-port -lm

$(ESPRUINO_BIN):
	@test -f $(ESPRUINO_TAR) || { echo "make espruino: $(ESPRUINO_TAR) is missing (the engines' sources live in ../shared/engines)" >&2; exit 1; }
	@$(ENGINE_CACHE) restore $(ENGINES_KEY) espruino $(ESPRUINO_DIR) || $(MAKE) --no-print-directory espruino-build

.PHONY: espruino-build
# Espruino's build runs `git log -1`: the extracted tree gets its own one-commit repository.
espruino-build:
	@rm -rf $(ESPRUINO_DIR) $(ESPRUINO_DIR).tmp && mkdir -p $(ESPRUINO_DIR).tmp
	tar -xJf $(ESPRUINO_TAR) -C $(ESPRUINO_DIR).tmp
	mv $(ESPRUINO_DIR).tmp/espruino $(ESPRUINO_DIR) && rmdir $(ESPRUINO_DIR).tmp
	cd $(ESPRUINO_DIR) && git init -q && git -c core.autocrlf=false -c user.name=ring-sim -c user.email=ring-sim@localhost add -A >/dev/null 2>&1 \
	  && git -c user.name=ring-sim -c user.email=ring-sim@localhost commit -q -m "espruino sources from ../shared/engines"
	$(MAKE) -C $(ESPRUINO_DIR) $(ESPRUINO_MAKE_FLAGS) -j2 >$(ENGINES_BUILD)/espruino.log 2>&1 \
	  || { tail -30 $(ENGINES_BUILD)/espruino.log >&2; exit 1; }
	@$(ENGINE_CACHE) save $(ENGINES_KEY) espruino $(ESPRUINO_DIR) bin/espruino

# The whole firmware (firmware/ring.ts) as ES5 for the engines, and the driver that replays a
# script into it (engines/driver/driver.ts): dist/ring.es5.js, dist/ring.es5.min.js,
# dist/ring-driver.es5.js; for Node the same two as one ESM file (a fresh firmware per import).
RING_ES5 := dist/ring.es5.js
RING_ES5_MIN := dist/ring.es5.min.js
RING_DRIVER_ES5 := dist/ring-driver.es5.js
RING_NODE := build/engines-node/ring-driver.mjs

.PHONY: engines-bundle engines-snapshots
BUNDLE := node engines/bundle.mjs
# Rebuilt when a source changes ($(RING_NODE), written last, is the stamp).
ENGINE_DEPS := $(shell find firmware protocol engines -name '*.ts' 2>/dev/null) engines/bundle.mjs engines/ring-entry.js \
  engines/driver-entry.js tsconfig.engines.json
# The type check of the whole firmware and the driver against the ES5 library (the stamp
# records that it passed). It covers every ES5 build of the firmware: firmware/ring.ts
# imports firmware/main.ts and firmware/dsp/motion.ts, and tsconfig.firmware*.json check
# with the same options, so `make firmware-image` only emits (tsc --noCheck) after it.
ENGINES_CHECKED := build/.engines-checked
$(ENGINES_CHECKED): $(ENGINE_DEPS)
	@test -x $(TSC) || { echo "make engines-bundle: node_modules missing: run 'make setup'" >&2; exit 1; }
	@mkdir -p build
	$(TSC) -p tsconfig.engines.json
	@touch $@
engines-bundle: $(RING_NODE)
# `ring energy` and the differential tests load the Node driver bundle: part of every build.
build: $(RING_NODE)
# Each script its own target, so under make -j the three bundles (5-10 s of CPU each) run
# beside each other and the other builds instead of one after another.
$(RING_ES5): $(ENGINE_DEPS) $(ENGINES_CHECKED)
	@mkdir -p dist
	$(BUNDLE) engines/ring-entry.js $@ --banner 'var RingFirmware = {};'
$(RING_ES5_MIN): $(ENGINE_DEPS) $(ENGINES_CHECKED)
	@mkdir -p dist
	$(BUNDLE) engines/ring-entry.js $@ --min --banner 'var RingFirmware = {};'
$(RING_DRIVER_ES5): $(ENGINE_DEPS) $(ENGINES_CHECKED)
	@mkdir -p dist
	$(BUNDLE) engines/driver-entry.js $@ --min --banner 'var RingDriverResult = -100;'
$(RING_NODE): $(ENGINE_DEPS) $(ENGINES_CHECKED) $(RING_ES5) $(RING_ES5_MIN) $(RING_DRIVER_ES5)
	@test -x node_modules/.bin/esbuild || { echo "make engines-bundle: node_modules missing: run 'make setup'" >&2; exit 1; }
	@mkdir -p build/engines-node
	node_modules/.bin/esbuild engines/driver/node-entry.ts --bundle --format=esm --platform=neutral --target=es2022 --log-level=warning --outfile=$(RING_NODE)
	@echo "whole firmware: $(RING_ES5) $$(wc -c < $(RING_ES5)) bytes, $(RING_ES5_MIN) $$(wc -c < $(RING_ES5_MIN)) bytes minified; driver $$(wc -c < $(RING_DRIVER_ES5)) bytes"

# JerryScript bytecode snapshots of the minified bundle (needs make jerryscript): a static
# snapshot, whose bytecode and literal tables execute in place from flash, with its literal
# strings as the engine's external magic strings (dist/ring.literals, also flash); the
# driver as an ordinary snapshot.
RING_SNAPSHOT := dist/ring.snapshot
RING_LITERALS := dist/ring.literals
RING_DRIVER_SNAPSHOT := dist/ring-driver.snapshot
engines-snapshots: $(RING_SNAPSHOT)
$(RING_SNAPSHOT): $(RING_NODE) $(JERRY_SNAPSHOT_TOOL)
	$(JERRY_SNAPSHOT_TOOL) generate -o build/ring.plain.snapshot $(RING_ES5_MIN) >/dev/null
	$(JERRY_SNAPSHOT_TOOL) litdump -o $(RING_LITERALS) build/ring.plain.snapshot >/dev/null
	$(JERRY_SNAPSHOT_TOOL) generate --static --load-literals-list-format $(RING_LITERALS) -o $(RING_SNAPSHOT) $(RING_ES5_MIN) >/dev/null
	$(JERRY_SNAPSHOT_TOOL) generate -o $(RING_DRIVER_SNAPSHOT) $(RING_DRIVER_ES5) >/dev/null
	@echo "snapshot: $(RING_SNAPSHOT) $$(wc -c < $(RING_SNAPSHOT)) bytes, literals $$(wc -c < $(RING_LITERALS)) bytes"

# The payload of a firmware image (docs/image-format.md): the whole firmware, radio
# included (firmware/ring.ts), as one minified ES5 script; `ring image build` wraps it.
FIRMWARE_RING_MIN := dist/firmware-ring.es5.min.js

.PHONY: firmware-image faults
# The image tests load it (test/helpers/image.ts builds it too when missing, for a lone npx tap).
# Rebuilt when a firmware source changes; the type check is $(ENGINES_CHECKED)'s.
firmware-image: $(FIRMWARE_RING_MIN)
$(FIRMWARE_RING_MIN): $(ENGINES_CHECKED) $(shell find firmware protocol -name '*.ts' 2>/dev/null) \
  sim/boot/ring-bundle-entry.js tsconfig.firmware-ring.json tsconfig.firmware.json
	@test -x $(TSC) && test -x node_modules/.bin/esbuild || { echo "make firmware-image: node_modules missing: run 'make setup'" >&2; exit 1; }
	@rm -rf build/firmware-ring-es5 && mkdir -p dist
	$(TSC) -p tsconfig.firmware-ring.json --noCheck
	node_modules/.bin/esbuild sim/boot/ring-bundle-entry.js $(ES5_BUNDLE_FLAGS) --minify --outfile=$(FIRMWARE_RING_MIN)
	@echo "firmware image payload: $(FIRMWARE_RING_MIN) $$(wc -c < $(FIRMWARE_RING_MIN)) bytes"

# Fault sweeps, every case (make test runs a seeded subset of each):
# - the flash history log (sim/flash/log-fault-sweep.ts): every flash operation of a seeded
#   workload cut before / during (every torn prefix) / after, plus cuts during recovery;
#   then a simulated week through the log, read back over the protocol;
# - firmware updates: power loss at every flash write and erase of a 128 KB update and of
#   the boot stage's slot handling, torn and after; a link drop at every chunk boundary.
faults: test-builds
	$(NODE) dist/tools/faults/main.js --seed 1 --steps 700
	$(NODE) dist/tools/faults/week-main.js 7
	RING_FAULTS=full $(TAP_RUN) --timeout=3600 $(call tests-js,$(FAULTS_TESTS))
