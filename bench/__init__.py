"""The platform's benchmarks: `python -m bench --help` (README, "Benchmarks")."""
