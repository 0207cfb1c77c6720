# pvctld: the control-plane daemon.
sbin_PROGRAMS += pvctld/pvctld
pvctld_pvctld_SOURCES = \
	%reldir%/pvctld.h \
	%reldir%/main.c \
	%reldir%/bus.c \
	%reldir%/objects.c \
	%reldir%/virt.c \
	%reldir%/shmem.c \
	%reldir%/connection.c \
	%reldir%/auth.c \
	%reldir%/kmod.c \
	%reldir%/push.h \
	%reldir%/push.c \
	%reldir%/vmsock.c
pvctld_pvctld_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS)
pvctld_pvctld_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(LIBVIRT_CFLAGS) $(LIBSYSTEMD_CFLAGS) \
	$(LIBNL_CFLAGS) $(PTHREAD_CFLAGS)
pvctld_pvctld_LDADD = libpvctl/libpvctl.la libpvabi/libpvabi.la \
	$(LIBVIRT_LIBS) $(LIBSYSTEMD_LIBS) $(LIBNL_LIBS) $(PTHREAD_LIBS)

# systemd, D-Bus and polkit glue.
dbuspolicy_DATA = %reldir%/org.pvabi.pvctl1.conf
dbussystemservice_DATA = %reldir%/org.pvabi.pvctl1.service
systemdsystemunit_DATA = %reldir%/pvctld.service
polkitactiondir = $(datadir)/polkit-1/actions
polkitaction_DATA = %reldir%/org.pvabi.pvctl1.policy
polkitrulesdir = $(datadir)/polkit-1/rules.d
polkitrules_DATA = %reldir%/50-org.pvabi.pvctl1.rules
sysusersdir = $(prefix)/lib/sysusers.d
sysusers_DATA = %reldir%/sysusers.d/pvabi.conf
udevrulesdir = $(prefix)/lib/udev/rules.d
udevrules_DATA = %reldir%/60-pvabi.rules
pvabiconfdir = $(sysconfdir)/pvabi
pvabiconf_DATA = %reldir%/pvctld.conf
libvirthooksdir = $(sysconfdir)/libvirt/hooks/qemu.d
libvirthooks_SCRIPTS = %reldir%/pvabi-hook

%reldir%/org.pvabi.pvctl1.service: %reldir%/org.pvabi.pvctl1.service.in
%reldir%/pvctld.service: %reldir%/pvctld.service.in
%reldir%/pvabi-hook: %reldir%/pvabi-hook.in
%reldir%/org.pvabi.pvctl1.service %reldir%/pvctld.service %reldir%/pvabi-hook: Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@bindir[@]|$(bindir)|g' \
		$(srcdir)/$@.in >$@.tmp && chmod --reference=$(srcdir)/$@.in $@.tmp && mv $@.tmp $@
CLEANFILES += %reldir%/org.pvabi.pvctl1.service %reldir%/pvctld.service \
	%reldir%/pvabi-hook
EXTRA_DIST += %reldir%/org.pvabi.pvctl1.conf %reldir%/org.pvabi.pvctl1.service.in \
	%reldir%/pvctld.service.in %reldir%/org.pvabi.pvctl1.policy \
	%reldir%/50-org.pvabi.pvctl1.rules \
	%reldir%/sysusers.d/pvabi.conf %reldir%/pvctld.conf %reldir%/pvabi-hook.in \
	%reldir%/60-pvabi.rules

# make bench: pvctl list against virsh list on 1000 test-driver domains.
BENCHES += pvctld/bench-list
pvctld/bench-list: pvctld/bench-list.sh.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(SED) -e 's|@abs_top_srcdir[@]|$(abs_top_srcdir)|g' \
		-e 's|@abs_top_builddir[@]|$(abs_top_builddir)|g' \
		$(srcdir)/pvctld/bench-list.sh.in >$@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += pvctld/bench-list
EXTRA_DIST += pvctld/bench-list.sh.in
