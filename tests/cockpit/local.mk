# pvabi's Cockpit page in Debian's chromium (puppeteer-core from npm, as the
# committed lockfile pins it, installed into the build tree).
TESTS += tests/cockpit/cockpit.sh
EXTRA_DIST += tests/cockpit/cockpit.sh tests/cockpit/browser.js \
	tests/cockpit/package.json tests/cockpit/package-lock.json
clean-local: cockpit-tests-clean
cockpit-tests-clean:
	rm -rf tests/cockpit/node_modules tests/cockpit/cockpit.png
	test "$(srcdir)" = . || rm -f tests/cockpit/package.json tests/cockpit/package-lock.json
# npm's cache outlives 'make clean', so that the test needs no network again.
distclean-local: cockpit-tests-distclean
cockpit-tests-distclean:
	rm -rf tests/cockpit/npm-cache
.PHONY: cockpit-tests-clean cockpit-tests-distclean
