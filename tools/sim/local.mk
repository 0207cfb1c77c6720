# libpvsim: the guest side of the delivery protocol and the stress engine
# behind `pvctl sim`, shared with the tests.
noinst_LTLIBRARIES += tools/sim/libpvsim.la
tools_sim_libpvsim_la_SOURCES = \
	%reldir%/guest.h \
	%reldir%/guest.c \
	%reldir%/stress.h \
	%reldir%/stress.c
tools_sim_libpvsim_la_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(PTHREAD_CFLAGS)
tools_sim_libpvsim_la_LIBADD = libpvabi/libpvabi.la $(PTHREAD_LIBS)

# make bench: the cost of a deferral, notification page against Graf's.
noinst_PROGRAMS += tools/sim/bench-delivery
tools_sim_bench_delivery_SOURCES = %reldir%/bench-delivery.c
BENCHES += tools/sim/bench-delivery
