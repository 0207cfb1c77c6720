# The docs, checked: the tutorial runs, the architecture names what exists.
docs_tests = \
	%reldir%/tutorial.sh \
	%reldir%/names.sh
TESTS += $(docs_tests)
EXTRA_DIST += $(docs_tests)
