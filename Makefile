# ring-sim: one entry point for setup, build, demo, tests and benchmarks.
SHELL := /bin/bash
DEBIAN_PACKAGES := duktape duktape-dev dbus valgrind
NODE := node
DEMO_FIXTURE := fixtures/synth/synth-rest.ringfx

.PHONY: all setup deps npm build demo test bench firmware clean

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

clean:
	rm -rf dist build .tap
