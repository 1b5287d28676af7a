"""digest's benchmark harness: `python -m bench` or `make bench`; not part of `make test`.

Modules: feeds (synthetic member feeds), server (a loopback origin per member, latency, 304s),
baseline (sequential feedparser, the peers' way), measure (child wall time, rusage, tree memory),
run (the measurements, the table and the targets).
"""
