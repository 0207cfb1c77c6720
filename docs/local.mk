# Man pages, one scdoc source each, and the bash completion.
man_pages = %reldir%/man/pvabi.7 %reldir%/man/pvctl.8 %reldir%/man/pvctld.8 \
	%reldir%/man/pvvm.1
nodist_man7_MANS = %reldir%/man/pvabi.7
nodist_man8_MANS = %reldir%/man/pvctl.8 %reldir%/man/pvctld.8
if PVVM
nodist_man1_MANS = %reldir%/man/pvvm.1
endif
CLEANFILES += $(man_pages)

SUFFIXES = .scd
.scd:
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(SCDOC) < $< > $@.tmp && mv $@.tmp $@

bashcompletiondir = $(BASH_COMPLETION_DIR)
dist_bashcompletion_DATA = contrib/pvctl
