# ring-sim: one entry point for setup, build, demo, tests and benchmarks.
SHELL := /bin/bash
DEBIAN_PACKAGES := duktape duktape-dev dbus valgrind gcc libc6-dev
NODE := node
DEMO_FIXTURE := fixtures/synth/synth-rest.ringfx

.PHONY: firmware-motion all setup deps npm build demo test bench firmware duk clean

all: build

# Debian packages the tests need (real engines, not stand-ins). Installs only what is missing.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing" >&2; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

npm: node_modules/.package-lock.json

setup: deps npm

build: npm
	npx tsc -p tsconfig.json

demo: setup build
	$(NODE) dist/host/cli/main.js replay $(DEMO_FIXTURE)
	$(NODE) dist/host/cli/main.js score fixtures/synth

test: setup build
	npx tap

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

firmware:
	@test -x node_modules/.bin/tsc && test -x node_modules/.bin/esbuild || { echo "make firmware: node_modules missing: run 'make setup'" >&2; exit 1; }
	@rm -rf build/firmware-es5 && mkdir -p dist build/firmware-node
	node_modules/.bin/tsc -p tsconfig.firmware.json
	node_modules/.bin/esbuild duk/firmware-entry.js $(ES5_BUNDLE_FLAGS) --outfile=$(FIRMWARE_ES5)
	node_modules/.bin/esbuild duk/firmware-entry.js $(ES5_BUNDLE_FLAGS) --minify --outfile=$(FIRMWARE_ES5_MIN)
	node_modules/.bin/esbuild firmware/main.ts --bundle --format=esm --platform=neutral --target=es2022 --log-level=warning --outfile=$(FIRMWARE_NODE)
	@echo "firmware bundle: $(FIRMWARE_ES5) $$(wc -c < $(FIRMWARE_ES5)) bytes raw, $(FIRMWARE_ES5_MIN) $$(wc -c < $(FIRMWARE_ES5_MIN)) bytes minified"

# The same pipeline with the motion heart-rate tracker attached (as firmware/ring.ts runs
# it), for Duktape and Node: measured and compared apart from the budgeted bundle above.
FIRMWARE_MOTION_ES5 := dist/firmware-motion.es5.min.js
FIRMWARE_MOTION_NODE := build/firmware-node/motion.mjs

firmware-motion: firmware
	node_modules/.bin/tsc -p tsconfig.firmware-motion.json
	node_modules/.bin/esbuild duk/firmware-motion-entry.js $(ES5_BUNDLE_FLAGS) --minify --outfile=$(FIRMWARE_MOTION_ES5)
	node_modules/.bin/esbuild duk/firmware-motion-node.ts --bundle --format=esm --platform=neutral --target=es2022 --log-level=warning --outfile=$(FIRMWARE_MOTION_NODE)

# The Duktape host that runs the bundle with heap accounting (duk/host.c).
duk: $(DUK_HOST)

$(DUK_HOST): duk/host.c
	@command -v gcc >/dev/null || { echo "make duk: gcc is missing: run 'make deps'" >&2; exit 1; }
	@echo '#include <duktape.h>' | gcc -E - >/dev/null 2>&1 || { echo "make duk: duktape.h is missing (Debian duktape-dev): run 'make deps'" >&2; exit 1; }
	@mkdir -p build
	gcc -std=c11 -O2 -Wall -Wextra -Werror -o $@ duk/host.c -lduktape -lm

clean:
	rm -rf dist build .tap
