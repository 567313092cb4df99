"""On-demand benchmarks (``make bench``): keep-alive throughput against a bare baseline, query
counts and memory at scale, and the web pages at 1,000 connections/events. Never collected by
pytest (no test_*.py here; pytest's testpaths is tests/)."""
