# The docs, checked: the tutorial runs, the architecture names what exists,
# pvvm(1) matches pvvm's help.
docs_tests = \
	%reldir%/tutorial.sh \
	%reldir%/names.sh \
	%reldir%/pvvm-man.sh
TESTS += $(docs_tests)
EXTRA_DIST += $(docs_tests)
