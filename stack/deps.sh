# Debian packages and the build, for ./serve and ./check.  Sourced.

# What building, running and testing need.
DEPS_BUILD="autoconf automake make gcc libc6-dev pkg-config libfcgi-dev
	libmagickwand-dev libpq-dev libcurl4-openssl-dev libbsd-dev libmd-dev
	liblcms2-dev libexif-dev zlib1g-dev
	libjansson-dev"
DEPS_RUN="lighttpd lighttpd-modules-lua postgresql imagemagick curl"
DEPS_TEST="ceph-mon ceph-osd radosgw ceph-common ceph-base jq procps
	libimage-exiftool-perl
	iproute2 clang-14 libclang-rt-14-dev
	chromium nodejs"
# Only tests/it/t_46_apache.sh needs these, and skips without them.  Not
# installed by ./check: apache2's own start on port 80 can fail beside
# Debian's lighttpd and leave the package half-configured.
DEPS_OPTIONAL="apache2 libapache2-mod-fcgid"
# Debian's npm, unless a Node.js from elsewhere (NodeSource) brings its own.
command -v npm >/dev/null 2>&1 || DEPS_TEST="$DEPS_TEST npm"

# deps_install PACKAGE...: installs those not installed yet.
deps_install() {
	local p missing=() sudo=
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing: ${missing[*]}" >&2
	$sudo apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
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
