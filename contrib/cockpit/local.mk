# pvabi's Cockpit page: a Cockpit package in $(datadir)/cockpit/pvabi/
# (/usr/share/cockpit/pvabi on Debian, the cockpit-pvabi package), where
# cockpit-bridge finds it.  Plain files: no build step.
cockpitdir = $(datadir)/cockpit/pvabi
dist_cockpit_DATA = contrib/cockpit/manifest.json contrib/cockpit/index.html \
	contrib/cockpit/pvabi.js contrib/cockpit/pvabi.css
