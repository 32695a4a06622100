# Chancery — the two commands a newcomer needs are `make run` and `make test`.
# Everything installs itself: Go modules and tools (templ, staticcheck) through
# the go.mod tool directive, Chromium from Debian when a browser test needs it,
# and container images built locally FROM scratch (no registry is needed).

SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD_DIR      ?= $(CURDIR)/.build
BIN            := $(BUILD_DIR)/bin/chancery
CHANCERY_HOME  ?= $(HOME)/.chancery
HTTP_ADDR      ?= 127.0.0.1:8080
VERSION        ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS        := -s -w -X main.version=$(VERSION)
GO_TEST_FLAGS  ?= -count=1 -timeout 25m
FUZZTIME       ?= 30s
export CHANCERY_BUILD_DIR := $(BUILD_DIR)
export TESTCONTAINERS_RYUK_DISABLED := true

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build the chancery binary (static, CGO off) into .build/bin
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/chancery

.PHONY: run
run: build ## build and start a single-validator demo chain with all apps (initialises ~/.chancery, or CHANCERY_HOME, on first run)
	@if [ ! -f "$(CHANCERY_HOME)/config/genesis.json" ]; then \
		$(BIN) init --home "$(CHANCERY_HOME)" --demo; fi
	@echo "Demo users and API tokens: $(CHANCERY_HOME)/demo-users.txt — open http://$(HTTP_ADDR)"
	$(BIN) start --home "$(CHANCERY_HOME)" --http $(HTTP_ADDR)

TESTNET_DIR        ?= $(BUILD_DIR)/testnet
TESTNET_VALIDATORS ?= 4
TESTNET_FLAGS      ?=

.PHONY: testnet
testnet: build ## start a 4-validator chain as local processes (homes, logs in .build/testnet; HTTP 8080-8083; TESTNET_FLAGS="--http-port P --base-port Q" to move)
	deploy/local-testnet.sh start $(BIN) $(TESTNET_DIR) $(TESTNET_VALIDATORS) $(TESTNET_FLAGS)

.PHONY: testnet-stop
testnet-stop: ## stop the validators of make testnet (SIGTERM, waits for each to exit)
	deploy/local-testnet.sh stop $(TESTNET_DIR)

.PHONY: test
test: ## run every test: unit, fuzz seeds, crash, integration (Docker) and browser tests
	@.ci/ensure-chromium
	@mkdir -p $(BUILD_DIR)
	set -o pipefail; go test $(GO_TEST_FLAGS) -v ./... 2>&1 | tee $(BUILD_DIR)/test.log | .ci/summarize

.PHONY: test-unit
test-unit: ## run the fast tests only (no Docker, no browser, no crash test)
	go test -short $(GO_TEST_FLAGS) ./...

.PHONY: test-integration
test-integration: ## run the tests against real containers (MinIO, multi-validator)
	go test $(GO_TEST_FLAGS) -v ./storage/s3/... ./integration/...

.PHONY: lint
lint: ## go vet and staticcheck (the soak test included)
	go vet -tags soak ./...
	go tool staticcheck -tags soak ./...

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME (default 30s) each
	@for pkg in $$(go list ./...); do \
		for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

.PHONY: bench
bench: build ## run the benchmarks, then chancery bench: committed tx/s beside kvstore, sweep, anchoring; writes docs/bench and docs/benchmarks.md
	go test -run '^$$' -bench . -benchmem -benchtime 2s ./chain/... ./apps/... 
	go test -run '^$$' -bench Put1GiB -benchtime 1x ./storage/fs
	$(BIN) bench --baseline kvstore --anchors --sweep --out docs/bench --doc docs/benchmarks.md

.PHONY: bench-testnet
bench-testnet: build ## chancery bench on 4 local validator processes, beside kvstore on 4 (docs/benchmarks.md)
	$(BIN) bench --validators 4 --baseline kvstore --duration 20s

.PHONY: soak
soak: ## fault soak: 4 validators in Docker under load while SIGKILLs, stops and partitions take turns, then every tx checked on every node (CHANCERY_SOAK_DURATION, default 10m)
	go test -tags soak -run '^TestSoak$$' -count=1 -timeout 3h -v ./integration/

.PHONY: generate
generate: ## regenerate templ views
	go tool templ generate

.PHONY: check-generated
check-generated: generate ## fail if generated code is stale
	@git diff --exit-code --stat -- '*_templ.go' || { echo "generated code is stale: run make generate and commit"; exit 1; }

.PHONY: images
images: build ## build the chancery and MinIO images FROM scratch
	deploy/minio/build.sh
	docker tag "$$(deploy/minio/build.sh --print-image)" chancery/minio:latest
	docker build -t chancery/chancery:$(VERSION) -t chancery/chancery:latest -f deploy/Dockerfile $(BUILD_DIR)/bin

.PHONY: clean
clean: ## remove build output (not the MinIO binary cache: make distclean)
	rm -rf $(BUILD_DIR)/bin $(BUILD_DIR)/test.log

.PHONY: distclean
distclean: ## remove all build output including the cached MinIO binary
	rm -rf $(BUILD_DIR)
