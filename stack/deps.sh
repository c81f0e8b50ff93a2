# Debian packages and the build, for ./serve and ./check.  Sourced.

# What building, running and testing need.
DEPS_BUILD="autoconf automake make gcc libc6-dev pkg-config libfcgi-dev
	libmagickwand-dev libpq-dev libcurl4-openssl-dev libbsd-dev libmd-dev
	liblcms2-dev libexif-dev zlib1g-dev libwebp-dev libheif-dev
	libjansson-dev libexpat1-dev"
DEPS_RUN="lighttpd lighttpd-modules-lua postgresql imagemagick curl"
DEPS_TEST="ceph-mon ceph-osd radosgw ceph-common ceph-base jq procps
	libimage-exiftool-perl libheif-examples
	iproute2 clang-14 libclang-rt-14-dev
	chromium nodejs
	apache2 libapache2-mod-fcgid
	lighttpd-mod-openssl openssl
	debhelper lintian"
# Debian's npm, unless a Node.js from elsewhere (NodeSource) brings its own.
command -v npm >/dev/null 2>&1 || DEPS_TEST="$DEPS_TEST npm"

# The policy-rc.d that deps_install puts in place for its own apt-get
# run, when the machine has none: it tells each package's maintainer
# scripts not to start its system service (exit 101, "action forbidden").
# Everything here runs servers of its own on loopback ports; the system
# lighttpd, PostgreSQL and Apache that Debian would start are not used,
# and apache2's start on port 80, taken by Debian's lighttpd, failed and
# left the package half-configured.  The packages are configured all
# the same; their services start at the next boot if enabled.
DEPS_POLICY=${DEPS_POLICY:-/usr/sbin/policy-rc.d}
DEPS_POLICY_TEXT='#!/bin/sh
# imghost stack/deps.sh: no service starts during its apt-get install.
exit 101'

# deps_install PACKAGE...: installs those not installed yet, starting no
# service (DEPS_POLICY).
deps_install() {
	local p missing=() sudo= ours= rc
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing: ${missing[*]}" >&2
	# Ours is removed afterwards (one an interrupted run left, too); a
	# policy the machine had (Docker images ship one) stays as it was.
	if [ "$(cat "$DEPS_POLICY" 2>/dev/null)" = "$DEPS_POLICY_TEXT" ]; then
		ours=1
	elif [ ! -e "$DEPS_POLICY" ] &&
	    printf '%s\n' "$DEPS_POLICY_TEXT" |
	    $sudo tee "$DEPS_POLICY" >/dev/null &&
	    $sudo chmod 0755 "$DEPS_POLICY"; then
		ours=1
	fi
	$sudo apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
	rc=$?
	[ -z "$ours" ] || $sudo rm -f "$DEPS_POLICY"
	return $rc
}

# deps_npm DIR: installs DIR's npm packages as its package-lock.json
# pins them (npm ci), unless node_modules is there and newer than the
# lock; quiet unless it fails.  Needs npm (DEPS_TEST).
deps_npm() {
	local log
	[ "$1/node_modules/.package-lock.json" -nt "$1/package-lock.json" ] &&
		return 0
	command -v npm >/dev/null 2>&1 || { echo "deps_npm: no npm" >&2; return 1; }
	log=$(cd "$1" && npm ci --no-audit --no-fund 2>&1) ||
		{ printf '%s\n' "$log" >&2; return 1; }
}

# deps_build: configures once, then makes; quiet unless it fails.
deps_build() {
	[ -x configure ] || ./autogen.sh >/dev/null 2>&1 || return 1
	[ -f Makefile ] || ./configure -q ${CONFIGURE_FLAGS:-} || return 1
	make -s -j"$(nproc)" >/dev/null
}

# free_port: prints a loopback TCP port nobody listens on, below the
# kernel's ephemeral range, so no outgoing connection takes it before
# the server that was given it binds it (seen: lighttpd's "Address
# already in use" in t_15).
free_port() {
	local p lo
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${lo:-0}" -gt 12000 ] || lo=32768
	while :; do
		p=$((10000 + RANDOM % (lo - 10000)))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || break
	done
	echo "$p"
}
