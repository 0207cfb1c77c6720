# make install into a scratch DESTDIR puts every file where Debian expects it.
TESTS += tests/install/install.sh
EXTRA_DIST += tests/install/install.sh tests/install/expected-files
