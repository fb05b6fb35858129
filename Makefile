# Stable entry points. The real build is CMake + Ninja in build/.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=

.PHONY: all deps test test-sanitize demo package clean

all: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR)

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

deps:
	scripts/install-deps

# Installs what is missing, builds, then runs unit and integration tests.
test: deps
	$(MAKE) all
	scripts/run-tests $(BUILD_DIR)

demo: deps
	$(MAKE) all
	scripts/demo

package: deps
	$(MAKE) all
	cmake --build $(BUILD_DIR) --target package

clean:
	rm -rf $(BUILD_DIR)

# The same tests on a build with AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer; any report fails the run.
SANITIZE_BUILD_DIR ?= build-sanitize
test-sanitize: deps
	cmake -S . -B $(SANITIZE_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON
	cmake --build $(SANITIZE_BUILD_DIR)
	SLUICE_SANITIZE=1 scripts/run-tests $(SANITIZE_BUILD_DIR)

# The long torture run (tests/torture/README.md): lines written to rotating files
# while sluice is SIGKILLed and restarted must all be in OpenSearch exactly once.
# Override the arguments with e.g. `make torture TORTURE_ARGS="--lines 200000 --kills 3 --seed 7"`.
TORTURE_ARGS ?= --lines 5000000 --kills 5
.PHONY: torture
torture:
	$(MAKE) all
	SLUICE_BIN=$(abspath $(BUILD_DIR))/sluice python3 tests/torture/torture.py $(TORTURE_ARGS)
