"""`python -m bench [--sources 100] [--latency 0.15] [--runs 3] [--quick]`: see bench/run.py."""

from bench.run import main

main()
