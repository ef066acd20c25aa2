# Sourced by the harness scripts, which set harness_dir (this directory)
# first: free_port prints a TCP port on 127.0.0.1 for the caller to bind next,
# from the one allocator of all harnesses (free_port.py: below the ephemeral
# range, reserved against parallel tests, bindable now).
free_port() {
    python3 "${harness_dir:?free-port.sh: set harness_dir before sourcing it}/free_port.py"
}
