# The docs, checked: the tutorial runs, the architecture names what exists,
# the man pages match their programs' help.
docs_tests = \
	%reldir%/tutorial.sh \
	%reldir%/names.sh \
	%reldir%/man-help.sh
TESTS += $(docs_tests)
EXTRA_DIST += $(docs_tests) %reldir%/tutorial-blocks.sh
