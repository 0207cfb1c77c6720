# What hostile input costs the host, measured by make bench.
noinst_PROGRAMS += %reldir%/bench-negotiate
BENCHES += %reldir%/bench-negotiate
%canon_reldir%_bench_negotiate_SOURCES = %reldir%/bench-negotiate.c
%canon_reldir%_bench_negotiate_LDADD = libpvabi/libpvabi.la
