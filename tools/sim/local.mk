# libpvsim: the guest side of the delivery protocol and the stress engine
# behind `pvctl sim`, shared with the tests.
noinst_LTLIBRARIES += tools/sim/libpvsim.la
tools_sim_libpvsim_la_SOURCES = \
	%reldir%/guest.h \
	%reldir%/guest.c
tools_sim_libpvsim_la_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
tools_sim_libpvsim_la_LIBADD = libpvabi/libpvabi.la $(PTHREAD_LIBS)
