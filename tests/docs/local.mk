# The docs, checked: the architecture names what exists.
docs_tests = \
	%reldir%/names.sh
TESTS += $(docs_tests)
EXTRA_DIST += $(docs_tests)
