# inboxd: `make run` starts the daemon on a copy of the demo inbox, `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
APT_PACKAGES := libsystemd-dev pkg-config python3 curl jq
SHARED ?= ../shared
DEMO := out/demo

.PHONY: all deps build release test run check-corpus bench clean

all: build

# Installs what the build and tests need: apt-get as root, sudo otherwise. Swift itself must be
# on PATH (https://www.swift.org/install/linux/): Debian does not package Swift 6.
deps:
	@command -v $(SWIFT) >/dev/null || { echo "swift not found: install the Swift 6 toolchain (swift.org) and put it on PATH" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: build
	INBOXD_BIN_DIR="$$($(SWIFT) build --show-bin-path)" $(SWIFT) test

# The daemon on a copy of seeds/ (the daemon moves files out of its inbox; seeds/ stays intact).
# Try it from another terminal: build/debug/inboxctl --socket $(DEMO)/inboxd.sock status
run: build
	mkdir -p $(DEMO)/inbox
	cp -n seeds/* $(DEMO)/inbox/ 2>/dev/null || true
	@echo "inboxctl: $$($(SWIFT) build --show-bin-path)/inboxctl --socket $(CURDIR)/$(DEMO)/inboxd.sock status"
	exec "$$($(SWIFT) build --show-bin-path)/inboxd" --inbox $(CURDIR)/$(DEMO)/inbox \
	  --state $(CURDIR)/$(DEMO)/state --socket $(CURDIR)/$(DEMO)/inboxd.sock

clean:
	rm -rf .build out
