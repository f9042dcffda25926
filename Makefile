# stairway — run `make demo` to see it work, `make test` to prove it.
SHELL := /bin/bash
BUN := node_modules/.bin/bun
STAIRWAY := dist/stairway
CONFIG := tests/migrations/config.yaml
REPORTS := tests/migrations/reports

.PHONY: demo test test-crash deps services typecheck format format-check build build-node dist clean bench \
	migration-test migration-rollback migration-perf migration-data-test migration-backup-test \
	migration-cross-db migration-validate migration-safety migration-report migration-clean \
	bench-runner bench-growth bench-big-tree bench-bulk bench-lint bench-redis bench-seed bench-size bench-pglite

## demo: the stairway test and cross-db of the showcase on SQLite and embedded PostgreSQL (PGlite): no server needed
demo: build
	@$(STAIRWAY) test --config $(CONFIG) --target sqlite --target pglite
	@$(STAIRWAY) cross-db --config $(CONFIG) --target sqlite --target pglite --reference pglite

## test: install, start PostgreSQL and Redis if needed, typecheck, run the whole suite
test: deps services typecheck format-check build build-node
	$(BUN) test --timeout 120000

## test-crash: 25 SIGKILLs at random points of `up` on SQLite and on PostgreSQL (make test runs 3 of each)
test-crash: deps services
	STAIRWAY_CRASH_KILLS=25 $(BUN) test --timeout 900000 tests/crash

deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

services:
	@bash scripts/services.sh

typecheck: deps
	node_modules/.bin/tsc --noEmit -p .

## format: write the house format (Biome, biome.json); format-check: fail when a file is not in it
format: deps
	node_modules/.bin/biome format --write .
format-check: deps
	node_modules/.bin/biome format .

# Bun's executables read bunfig.toml and .env from the directory they run in:
# a bunfig.toml there (a checkout under review, say) must not preload code into
# stairway, and a .env must not pick its targets (the Node.js build reads
# neither; README "Options").
COMPILE := $(BUN) build --compile --minify --bytecode --no-compile-autoload-bunfig --no-compile-autoload-dotenv

# PGlite's WebAssembly and file system image, gzipped, and an empty database
# made with the same pinned version: embedded in both builds, so nothing reads
# node_modules at run time (scripts/pglite-assets.ts).
PGLITE_DIR := src/stores/pglite/assets
PGLITE_ASSETS := $(PGLITE_DIR)/pglite.wasm.gz $(PGLITE_DIR)/pglite.data.gz $(PGLITE_DIR)/template.tar.gz
$(PGLITE_ASSETS) &: scripts/pglite-assets.ts node_modules/@electric-sql/pglite/package.json
	$(BUN) scripts/pglite-assets.ts $(PGLITE_DIR)

build: deps $(STAIRWAY)
$(STAIRWAY): package.json Makefile $(shell find src -name '*.ts') $(PGLITE_ASSETS)
	$(COMPILE) src/bin.ts --outfile $(STAIRWAY)

## build-node: the npm package's Node.js 20+ build (bin/stairway.mjs runs it)
# --splitting keeps commands lazy (a fast start) and each module once.
build-node: deps dist/node/bin.js
dist/node/bin.js: package.json $(shell find src -name '*.ts') $(PGLITE_ASSETS)
	rm -rf dist/node
	$(BUN) build src/bin.ts --target=node --splitting --minify --outdir dist/node --external better-sqlite3 --external @swc/wasm-typescript

## dist: the release archives in dist/release and their SHA256SUMS (Bun fetches other platforms' runtimes from the npm registry)
# One archive per platform, named as install.sh looks for it: stairway-<os>-<arch>.tar.gz
# (.zip for Windows) holding the directory stairway-<os>-<arch>/ with the binary,
# README.md and LICENSE. The version is package.json's (the release workflow sets
# it from the tag first). PLATFORMS=linux-x64 builds fewer, RELEASE=DIR elsewhere.
PLATFORMS := linux-x64 linux-arm64 darwin-x64 darwin-arm64 windows-x64
RELEASE := dist/release
dist: deps $(PGLITE_ASSETS)
	rm -rf $(RELEASE) && mkdir -p $(RELEASE)
	set -e; for p in $(PLATFORMS); do \
	  dir=$(RELEASE)/stairway-$$p; mkdir $$dir; \
	  $(COMPILE) --target=bun-$$p src/bin.ts --outfile $$dir/stairway; \
	  cp README.md LICENSE $$dir/; \
	  case $$p in \
	    windows-*) (cd $(RELEASE) && zip -qr -X stairway-$$p.zip stairway-$$p) ;; \
	    *) tar -C $(RELEASE) --owner=0 --group=0 --numeric-owner -czf $$dir.tar.gz stairway-$$p ;; \
	  esac; \
	  rm -rf $$dir; \
	done
	cd $(RELEASE) && sha256sum stairway-* > SHA256SUMS

## the request's make targets (tests/migrations/config.yaml)
migration-test: build
	$(STAIRWAY) test --config $(CONFIG)

migration-rollback: build
	$(STAIRWAY) rollback --config $(CONFIG)

migration-perf: build
	$(STAIRWAY) perf --config $(CONFIG)

migration-data-test: build
	$(STAIRWAY) data-test --config $(CONFIG)

migration-backup-test: build
	$(STAIRWAY) backup-test --config $(CONFIG)

migration-safety: build
	$(STAIRWAY) safety --config $(CONFIG)

migration-report: build
	$(STAIRWAY) report --config $(CONFIG)

migration-clean: build
	$(STAIRWAY) clean --config $(CONFIG)

migration-cross-db: build
	$(STAIRWAY) cross-db --config $(CONFIG)

migration-validate: build
	$(STAIRWAY) validate --config $(CONFIG)

## bench: every benchmark against its peer or floor, same run (not part of make test; see scripts/bench/README.md)
bench: bench-runner bench-growth bench-big-tree bench-bulk bench-lint bench-redis bench-seed bench-size bench-pglite

## bench-runner: stairway up vs dbmate up vs psql -1 -f on 100 generated migrations; start-up vs dbmate
bench-runner: build
	$(BUN) scripts/bench/runner.ts

## bench-growth: stairway test on 50, 200 and 700 generated popx-shaped migrations (linear growth), per-step cost vs psql/sqlite3
bench-growth: build
	$(BUN) scripts/bench/stairway-growth.ts

## bench-big-tree: 700 migrations on PostgreSQL: test --since-git with a cold and a warm prefix cache, 4 shards vs unsharded, merged
bench-big-tree: build
	$(BUN) scripts/bench/big-tree.ts

## bench-bulk: 1M generated rows into PostgreSQL and SQLite vs psql \copy and sqlite3 .import of the same rows
bench-bulk: build
	$(BUN) scripts/bench/bulk.ts --rows 1000000

## bench-seed: one ~50 MB seed migration (600k INSERTs): stairway up vs psql -1 -f and sqlite3 on the same file
bench-seed: build
	$(BUN) scripts/bench/seed.ts

## bench-redis: renaming 200k Redis keys with ctx.renameKeys vs a naive KEYS + RENAME loop vs redis-benchmark's pipelined SET
bench-redis: deps
	$(BUN) scripts/bench/redis-rename.ts

## bench-size: binary and archive sizes per platform (make dist) vs dbmate's and squawk's (npm), and --version start-up vs dbmate
bench-size: dist
	RELEASE=$(RELEASE) $(BUN) scripts/bench/size.ts

## bench-pglite: embedded PostgreSQL: binary growth (with vs without the store), cold start of pglite: targets, make demo's wall time
bench-pglite: build
	$(BUN) scripts/bench/pglite.ts

## bench-lint: stairway safety vs squawk (npm squawk-cli in scripts/bench/.peers) on the same files
bench-lint: build
	$(BUN) scripts/bench/lint.ts

clean:
	rm -rf dist $(REPORTS) $(PGLITE_DIR)
