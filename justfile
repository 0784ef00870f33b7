# Shortcuts for people who use `just`; every recipe is one plain cargo command.

# Run the main job: the emulator, the CLI against it, and a batch run to completion.
demo:
    cargo xtask demo

# Run every test.
test:
    cargo test --workspace

# Regenerate every checked-in generated file from spec/.
codegen:
    cargo xtask codegen

# Fail with a diff when a generated file is stale.
codegen-check:
    cargo xtask codegen --check

# Fail when a hand-written Rust file is over 600 lines or modules use each other in a
# cycle; `just layout -p batches-client` checks one package.
layout *args:
    cargo xtask layout {{args}}

# Write the man pages of `llamacloud` to DIR (default: man/ in cargo's target directory).
man *dir:
    cargo xtask man {{dir}}

# Print every performance figure (release build; needs wrk, curl and /usr/bin/time).
bench:
    cargo xtask bench

# Build the C library (profile dist) and install it under PREFIX with its pkg-config file;
# `just install-c /usr/local --libdir lib64` passes the options on.
install-c prefix *args:
    cargo xtask install-c --prefix {{prefix}} {{args}}

# `just wheel --out DIR` builds the Python wheel (the module and both binaries); `just wheel
# --check` tests it.
wheel *args:
    cargo xtask wheel {{args}}

# The Python package's tests: `just pytest -k resume` passes its arguments to pytest.
pytest *args:
    cargo xtask pytest {{args}}

# The browser tests (headless Chromium): `just browser -k console` passes its arguments to
# pytest.
browser *args:
    cargo xtask browser {{args}}

# The whole CI run, as CI runs it.
ci:
    bash .ci/run
