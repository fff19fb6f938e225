# inboxd: `make run` starts the daemon on a copy of the demo inbox, `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
APT_PACKAGES := libsystemd-dev pkg-config python3 curl jq man-db binutils
SHARED ?= ../shared
DEMO := out/demo
PROMTOOL := $(CURDIR)/out/tools/usr/bin/promtool

# Installation layout (`make install PREFIX=/usr DESTDIR=...`). The configuration always goes
# to /etc/inboxd, where the units look for it.
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
CONFDIR ?= /etc/inboxd
# Installed binaries: release, with the Swift runtime inside (no toolchain needed where they
# are installed), built in their own scratch folder so they never mix with other builds.
DIST_FLAGS ?= -c release --static-swift-stdlib --scratch-path .build-dist
# Where install-files takes the binaries from (install and deb set it to the release build).
BUILT ?=
DEB_OUT ?= out/deb

.PHONY: all deps build release dist test test-systemd test-packaging chaos run check-corpus bench bench-smoke bench-movelock clean install install-files deb

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

dist: deps
	$(SWIFT) build $(DIST_FLAGS) --product inboxd
	$(SWIFT) build $(DIST_FLAGS) --product inboxctl

test: build $(PROMTOOL)
	INBOXD_BIN_DIR="$$($(SWIFT) build --show-bin-path)" INBOXD_PROMTOOL=$(PROMTOOL) $(SWIFT) test
	$(MAKE) test-systemd
	$(MAKE) test-packaging
	$(MAKE) fuzz-smoke

# promtool (the tests check /metrics with it) from Debian's prometheus package, unpacked into
# out/tools: installing the package would also enable and start a Prometheus server.
$(PROMTOOL):
	@rm -rf out/tools/deb && mkdir -p out/tools/deb
	@if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	cd out/tools/deb && { apt-get download prometheus 2>/dev/null || { $$SUDO apt-get update -qq && apt-get download prometheus; }; }
	dpkg-deb -x out/tools/deb/prometheus_*.deb out/tools
	rm -rf out/tools/deb
	@test -x $@ || { echo "no promtool in Debian's prometheus package" >&2; exit 1; }

# inboxd under a real systemd manager booted in its own namespaces (root only; see
# docs/systemd.md): lifecycle, socket activation, reload, watchdog, journal, hardening.
test-systemd: build
	INBOXD_BIN_DIR="$$($(SWIFT) build --show-bin-path)" bash Tests/systemd/run.sh

# `make deb` builds a package that dpkg-deb accepts and whose files are where they belong.
test-packaging: deps
	bash Tests/packaging/run.sh

# kill -9 chaos (docs/reliability.md "Kill -9 chaos"): the 10,000-file corpus burst, 200 kills aimed
# at start-up, mid-batch, mid-fsync, mid-link and mid-unlink, then every file and record checked against the
# manifest; prints FIGURE: lines (kills per phase, lost, doubled, time). 5-15 min on 2 cores.
# make test runs the same test with 5,000 files and 24 kills.
CHAOS_FILES ?= 10000
CHAOS_KILLS ?= 200
chaos: build
	INBOXD_BIN_DIR="$$($(SWIFT) build --show-bin-path)" INBOXD_CHAOS_FILES=$(CHAOS_FILES) INBOXD_CHAOS_KILLS=$(CHAOS_KILLS) \
	  $(SWIFT) test --filter 'DaemonTests/survivesRepeatedKillNineDuringBurst'

# Benchmarks (bench/run.py, docs in README "Benchmarks"): release build, the 10,000-article
# corpus, inboxd against the peers and the floor of $(SHARED)/bench (interleaved, 3 reps, trickle),
# then scale, idle, API, profile, core and search figures; the table goes to out/bench/summary.md
# and summary.json. About an hour on 2 cores. BENCH_FLAGS=--quick for a short run, or e.g.
# BENCH_FLAGS="--only scale idle" to rerun some sections (merged into the summary).
BENCH_APT_PACKAGES := inotify-tools jq python3-watchdog libssl-dev gcc strace
BENCH_FLAGS ?=
bench: deps
	@missing=""; for p in $(BENCH_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	python3 bench/run.py --shared $(SHARED) --swift $(SWIFT) $(BENCH_FLAGS)

# Taking a file out of a folder while someone renames files into it: rename, link+unlink, or
# append to a pack file + unlink (bench/movelock.c, plain C; prints JSON lines).
# MOVELOCK_FILES files of MOVELOCK_BYTES bytes per run (the generated corpus averages 3,700).
MOVELOCK_FILES ?= 10000
MOVELOCK_BYTES ?= 3700
bench-movelock:
	mkdir -p out
	cc -O2 -Wall -o out/movelock bench/movelock.c
	out/movelock $(MOVELOCK_FILES) /tmp $(MOVELOCK_BYTES)

# The benchmarks' correctness only, small and fast, for CI (no timing assertions): a 300-article
# corpus through inboxd (burst and trickle, checked against the manifest), storegen, corebench.
bench-smoke: build
	python3 bench/run.py --smoke --shared $(SHARED) --swift $(SWIFT) --bin-dir "$$($(SWIFT) build --show-bin-path)"

# libFuzzer over InboxCore's decode → normalize → parse → hash, with AddressSanitizer
# (Fuzz/run.sh, docs/reliability.md): builds in .build-fuzz, corpus in out/fuzz/, findings in
# out/fuzz/artifacts/; fails on any crash, timeout or OOM. FUZZ_SECONDS sets the duration.
.PHONY: fuzz fuzz-smoke
FUZZ_SECONDS ?= 600
fuzz: deps
	SWIFT=$(SWIFT) bash Fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: deps
	SWIFT=$(SWIFT) bash Fuzz/run.sh 60

# The daemon on a copy of seeds/ (the daemon moves files out of its inbox; seeds/ stays intact).
# Try it from another terminal: build/debug/inboxctl --socket $(DEMO)/inboxd.sock status
run: build
	mkdir -p $(DEMO)/inbox
	cp -n seeds/* $(DEMO)/inbox/ 2>/dev/null || true
	@echo "inboxctl: $$($(SWIFT) build --show-bin-path)/inboxctl --socket $(CURDIR)/$(DEMO)/inboxd.sock status"
	exec "$$($(SWIFT) build --show-bin-path)/inboxd" --inbox $(CURDIR)/$(DEMO)/inbox \
	  --state $(CURDIR)/$(DEMO)/state --socket $(CURDIR)/$(DEMO)/inboxd.sock

# Release binaries, units, configuration, man pages, completions, sysusers.d and tmpfiles.d.
install: dist
	$(MAKE) install-files BUILT="$$($(SWIFT) build $(DIST_FLAGS) --show-bin-path)"

# The copying half of `install`, from already built binaries in $(BUILT).
install-files:
	@test -n "$(BUILT)" -a -x "$(BUILT)/inboxd" -a -x "$(BUILT)/inboxctl" || { echo "install-files: set BUILT to a folder with inboxd and inboxctl (make install does)" >&2; exit 1; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(CONFDIR) \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 $(BUILT)/inboxd $(BUILT)/inboxctl $(DESTDIR)$(BINDIR)/
	for unit in inboxd.service inboxd.socket inboxd@.service inboxd@.socket; do \
	  sed 's|/usr/bin/inboxd|$(BINDIR)/inboxd|g' packaging/$$unit > $(DESTDIR)$(UNITDIR)/$$unit && chmod 0644 $(DESTDIR)$(UNITDIR)/$$unit || exit 1; \
	done
	install -m 0644 packaging/inboxd.sysusers $(DESTDIR)$(SYSUSERSDIR)/inboxd.conf
	install -m 0644 packaging/inboxd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/inboxd.conf
	@# An edited configuration is never overwritten.
	test -e $(DESTDIR)$(CONFDIR)/inboxd.conf || install -m 0644 packaging/inboxd.conf $(DESTDIR)$(CONFDIR)/inboxd.conf
	gzip -9n -c docs/man/inboxd.8 > $(DESTDIR)$(MANDIR)/man8/inboxd.8.gz
	gzip -9n -c docs/man/inboxctl.1 > $(DESTDIR)$(MANDIR)/man1/inboxctl.1.gz
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/inboxd.8.gz $(DESTDIR)$(MANDIR)/man1/inboxctl.1.gz
	$(BUILT)/inboxctl --generate-completion-script bash > $(DESTDIR)$(BASHCOMPDIR)/inboxctl
	$(BUILT)/inboxctl --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_inboxctl
	$(BUILT)/inboxctl --generate-completion-script fish > $(DESTDIR)$(FISHCOMPDIR)/inboxctl.fish
	chmod 0644 $(DESTDIR)$(BASHCOMPDIR)/inboxctl $(DESTDIR)$(ZSHCOMPDIR)/_inboxctl $(DESTDIR)$(FISHCOMPDIR)/inboxctl.fish

# A Debian package, out/deb/inboxd_<version>_<arch>.deb, from a staging tree of `install`.
deb: dist
	BUILT="$$($(SWIFT) build $(DIST_FLAGS) --show-bin-path)" bash packaging/debian/build-deb.sh $(DEB_OUT)

clean:
	rm -rf .build out
