# Thin wrapper over CMake presets.  The README's two commands: `make demo` and `make test`.
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 15

.PHONY: setup build demo test bench check-asan fuzz clean

setup:
	@scripts/setup.sh

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# Each demo writes a new folder (out/quick-<UTC time>): a folder measured by an older binary is
# never resumed with a newer one (run refuses that), and no earlier result is overwritten.
demo: build
	@build/release/src/cli/scalebench run examples/quick.toml --out out/quick-$(shell date -u +%Y%m%dT%H%M%SZ)

test: build
	@ctest --preset release -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz

fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target fuzz-all
	@scripts/run-fuzz.sh build/fuzz $(FUZZ_SECONDS)

bench: build
	@scripts/run-bench.sh build/release

check-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

clean:
	@rm -rf build
