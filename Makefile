# tokenctl developer tasks. `make test` is the test command: CI runs it too.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO ?= go
PKG := github.com/tokenctl/tokenctl

# Build metadata; override on the command line, e.g. `make build VERSION=v1.2.3`.
# DATE is the commit's (UTC), not the build's, so that two builds of one
# commit are the same binary, as release builds are (.goreleaser.yaml).
VERSION := $(shell git describe --tags --dirty 2>/dev/null || echo dev)
COMMIT  := $(shell git rev-parse HEAD 2>/dev/null || echo none)
DATE    := $(shell TZ=UTC0 git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null || echo unknown)
EPOCH   := $(shell git log -1 --format=%ct 2>/dev/null)
LDFLAGS := -X $(PKG)/internal/version.Version=$(VERSION) \
           -X $(PKG)/internal/version.Commit=$(COMMIT) \
           -X $(PKG)/internal/version.Date=$(DATE)

# Pinned tools, run without installing them. To use prebuilt binaries
# instead, e.g. `make lint GOLANGCI_LINT=/path/to/golangci-lint`, build them
# with `make tools TOOLS_BIN=/path/to` (CI does, while the tests run).
GOLANGCI_LINT_PKG := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
GORELEASER_PKG    := github.com/goreleaser/goreleaser/v2@v2.15.1
GOLANGCI_LINT ?= $(GO) run $(GOLANGCI_LINT_PKG)
GORELEASER    ?= $(GO) run $(GORELEASER_PKG)
TOOLS_BIN     ?= $(CURDIR)/bin/tools

# The race detector needs cgo, and cgo needs a C compiler.
RACE := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED 2>/dev/null)),-race)

FUZZTIME ?= 10s

.PHONY: build test generate check-generate lint fuzz demo drill demo-check bench man docs release-check clean \
        tools tool-golangci-lint tool-goreleaser

# Static, as release archives are built (.goreleaser.yaml): a binary linked
# against libc starts several milliseconds later, in the dynamic loader.
build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/tokenctl ./cmd/buildkite-emulator

# A race-enabled binary sleeps a second before it exits, in case a racing
# goroutine has yet to be reported; every test binary, and every emulator
# child the bench tests start, would pay it. A race found while the tests
# run still fails them; settings of your own in GORACE come after.
test:
	$(GO) vet ./...
	@[ -n '$(RACE)' ] || echo 'make test: cgo is disabled (no C compiler?), so the race detector is off' >&2
	GORACE='atexit_sleep_ms=0 $(GORACE)' $(GO) test $(RACE) -count=1 ./...

generate:
	$(GO) generate ./...

# Fails when `go generate` changes the tree, i.e. generated code is stale or
# not reproducible. Compares before and after, so local edits are fine.
TREE_STATE = { git status --porcelain --untracked-files=all; git diff HEAD --binary; \
               git ls-files --others --exclude-standard -z | xargs -0 -r sha256sum; } | sha256sum

check-generate:
	@before=$$($(TREE_STATE)); \
	$(GO) generate ./...; \
	if [ "$$before" != "$$($(TREE_STATE))" ]; then \
	  echo 'check-generate: `go generate ./...` changed the tree; run it and commit the result:' >&2; \
	  git status --short >&2; \
	  exit 1; \
	fi

lint:
	$(GOLANGCI_LINT) run

# Runs every fuzz target in the module for FUZZTIME each: a duration
# (10s) or a number of inputs (2000x, as CI does).
fuzz:
	@targets=$$($(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/ { names = names " " $$1 } /^ok / { if (names != "") print $$2 names; names = "" }'); \
	if [ -z "$$targets" ]; then echo 'fuzz: no fuzz targets'; exit 0; fi; \
	while read -r pkg names; do \
	  for name in $$names; do \
	    echo "fuzz: $$pkg $$name for $(FUZZTIME)"; \
	    $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime '$(FUZZTIME)' "$$pkg"; \
	  done; \
	done <<< "$$targets"

demo: build
	./.ci/demo.sh

# The leaked-token drill (docs/guides/leaked-token.md), end to end against the emulator;
# fails unless every step ends as documented.
drill: build
	./.ci/drill.sh

# tokenctl check on the emulator's hygiene organization: the report, its
# Markdown for CI, and a revocation plan applied.
demo-check: build
	./.ci/demo-check.sh

# Measures tokenctl against the emulator (20 ms added latency per request)
# side by side with the naive per-token loop and the floor, and prints a
# Markdown table; fails when a target is missed. Options go in BENCHFLAGS,
# e.g. `make bench BENCHFLAGS='-baseline-runs 1'` (see `go run ./cmd/tokenctl-bench -h`).
BENCHFLAGS ?=
bench:
	$(GO) run ./cmd/tokenctl-bench $(BENCHFLAGS)

# The generator is a program of its own, not a tokenctl command: its
# Markdown-to-roff renderer would cost every tokenctl start-up its
# initialisation.
man:
	$(GO) run ./cmd/tokenctl-man -dir man/

# The generated documentation, from the same generator: the command
# reference in docs/reference/ and the tables of docs/contracts/ (exit codes,
# settings, environment, files). Commit what it changes; a test
# (internal/manpages) fails while they are out of date.
docs:
	$(GO) run ./cmd/tokenctl-man -docs docs/

# Builds a snapshot release twice, into dist.first/ and dist/, and checks
# what it produced: that the two builds of this commit are byte-identical
# and dated at the commit, then unpacks the linux/amd64 archive and .deb,
# runs the packaged tokenctl, looks for its man pages and completions, and
# checks the checksums file (internal/releasecheck). RELEASE_TARGETS=linux_amd64 builds that platform
# alone, as CI does; the default is every platform. The container image is
# built only where `docker buildx` has a builder; elsewhere it is skipped.
RELEASE_TARGETS ?= all
RELEASE_SKIP    ?= $(if $(shell docker buildx inspect >/dev/null 2>&1 && echo yes),,--skip=docker)

# The commit and its time, which goreleaser does not know in a snapshot of a
# clone without a remote; .goreleaser.yaml stamps the release with them.
RELEASE_ENV = TOKENCTL_RELEASE_TARGETS='$(RELEASE_TARGETS)' TOKENCTL_COMMIT='$(COMMIT)' \
              TOKENCTL_COMMIT_DATE='$(DATE)' TOKENCTL_COMMIT_TIMESTAMP='$(EPOCH)'

release-check:
	$(GORELEASER) check
	$(RELEASE_ENV) $(GORELEASER) release --snapshot --clean $(RELEASE_SKIP)
	rm -rf dist.first && mv dist dist.first
	$(RELEASE_ENV) $(GORELEASER) release --snapshot --clean $(RELEASE_SKIP)
	TOKENCTL_RELEASE_DIST='$(CURDIR)/dist' TOKENCTL_RELEASE_DIST_AGAIN='$(CURDIR)/dist.first' \
	  TOKENCTL_RELEASE_TARGETS='$(RELEASE_TARGETS)' \
	  $(GO) test -count=1 -run '^TestRelease' ./internal/releasecheck/

tools: tool-golangci-lint tool-goreleaser

tool-golangci-lint:
	GOBIN='$(TOOLS_BIN)' $(GO) install $(GOLANGCI_LINT_PKG)

tool-goreleaser:
	GOBIN='$(TOOLS_BIN)' $(GO) install $(GORELEASER_PKG)

clean:
	rm -rf bin/ dist/ dist.first/ release-assets/
