# make bench: benchmarks, each printing a table and writing bench/<name>.json.
noinst_PROGRAMS += tests/bench/bench-state
BENCHES += tests/bench/bench-state
tests_bench_bench_state_SOURCES = %reldir%/bench-state.c
tests_bench_bench_state_LDADD = libpvabi/libpvabi.la
