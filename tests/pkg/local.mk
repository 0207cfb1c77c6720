# Debian packages: build, lintian, unpack and run.
TESTS += tests/pkg/deb.sh
EXTRA_DIST += tests/pkg/deb.sh debian
