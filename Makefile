# SPDX-License-Identifier: GPL-3.0-or-later
# The two commands of the README:
#   make run    installs what is missing, builds (release) and runs the main job
#   make test   runs the test suite
.PHONY: run test deps build lint bench clean

deps:
	@scripts/install-deps.sh

run: deps
	mkdir -p out
	swift build -c release --product switchyard
	.build/release/switchyard plan --xlsx out/plan.xlsx --json out/plan.json --force

test: deps
	swift test

# Fails on any compiler warning in the project's own sources.
build: deps
	@swift build --build-tests 2>&1 | tee .build-log.txt | grep -E "^(/|error)" || true
	@! grep -E "^$(CURDIR)/(Sources|Tests|Examples|Benchmarks)/.*(warning|error):" .build-log.txt
	@rm -f .build-log.txt

bench: deps
	swift build -c release --product switchyard-bench
	.build/release/switchyard-bench engine
	.build/release/switchyard-bench stochastic
	.build/release/switchyard-bench site

clean:
	rm -rf .build
