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

# Write the man pages of `llamacloud` to DIR.
man dir="target/man":
    cargo xtask man {{dir}}

# Print every performance figure (release build; needs wrk).
bench:
    cargo xtask bench

# The whole CI run, as CI runs it.
ci:
    bash .ci/run
