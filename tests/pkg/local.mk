# Debian packages: build, lintian, unpack and run; then install and use
# them on a booted Debian with systemd (boot.sh takes deb.sh's packages).
TESTS += tests/pkg/deb.sh tests/pkg/boot.sh
tests/pkg/boot.log: tests/pkg/deb.log
EXTRA_DIST += tests/pkg/deb.sh tests/pkg/boot.sh tests/pkg/boot-guest.sh \
	tests/pkg/boot-root debian
clean-local: pkg-tests-clean
pkg-tests-clean:
	rm -rf $(abs_top_builddir)/tests/pkg/debs $(abs_top_builddir)/tests/pkg/boot-console.log
.PHONY: pkg-tests-clean
