# docs/reliability.md, regenerated from the result files of the runs
# (results/: make check, make fuzz, tools/sanitizer-check, ./quickstart).
reliability-report:
	$(AM_V_GEN)$(MKDIR_P) $(srcdir)/docs && \
	$(srcdir)/tools/reliability-report --results results \
		--srcdir $(srcdir) -o $(srcdir)/docs/reliability.md
.PHONY: reliability-report

EXTRA_DIST += tools/reliability-report tools/sanitizer-check tools/bench-results
