#!/usr/bin/env bash
# Debian packages the benchmarks compare against (never runtime dependencies of nst):
#   python3-torch          PyTorch, the reference implementation (bench/torch_*.py)
#   libopenblas0-pthread   a real BLAS for PyTorch's matrix products (the Gram matrices); it
#                          takes over the libblas.so.3 alternative from Debian's reference BLAS,
#                          which makes PyTorch look 2-3x slower than it is (bench/README.md)
#   time                   GNU time, for the peak memory of `npm run bench:memory`
# Installs the missing ones when run as root; otherwise prints the command to run.
exec bash "$(dirname "$0")/install-debian-packages.sh" python3-torch libopenblas0-pthread time
