# stack/deps.sh's deps_install, with apt-get, dpkg-query and sudo
# replaced by stand-ins that record what they saw: the packages it
# installs start no system service (a policy-rc.d that answers 101 for
# the length of the apt-get run, removed afterwards), and a policy-rc.d
# the machine had is left as it was.
. "$(dirname "$0")/lib.sh"

bin=$TMP/bin
mkdir -p "$bin"
export DEPS_POLICY=$TMP/policy-rc.d APT_LOG=$TMP/apt.log
# Nothing is installed but "have"; apt-get fails when APT_FAIL is set.
cat >"$bin/dpkg-query" <<'SH'
#!/bin/sh
[ "$3" = have ] && echo 'install ok installed'
exit 0
SH
cat >"$bin/apt-get" <<'SH'
#!/bin/sh
[ "$1" = update ] && exit 0
"$DEPS_POLICY" lighttpd start
echo "install: policy says $?" >>"$APT_LOG"
[ -z "$APT_FAIL" ]
SH
printf '#!/bin/sh\nexec "$@"\n' >"$bin/sudo"
chmod +x "$bin"/*

# deps PACKAGE...: deps_install in a shell of its own with the stand-ins.
deps() {
	( PATH=$bin:$PATH; . "$TOP/stack/deps.sh"; deps_install "$@" ) \
		2>/dev/null
}

: >"$APT_LOG"
deps have
is "nothing missing: apt-get is not run" "$(cat "$APT_LOG")" ""

deps have apache2
is "apt-get succeeds" "$?" 0
is "during apt-get a policy-rc.d forbids starting services" \
	"$(cat "$APT_LOG")" "install: policy says 101"
check "and it is removed afterwards" [ ! -e "$DEPS_POLICY" ]

: >"$APT_LOG"
APT_FAIL=1 deps apache2
check "a failed apt-get is a failure" [ $? -ne 0 ]
is "its run had the policy too" "$(cat "$APT_LOG")" "install: policy says 101"
check "which is removed all the same" [ ! -e "$DEPS_POLICY" ]

# One an interrupted run left behind (its own text) is taken for ours.
( . "$TOP/stack/deps.sh"; printf '%s\n' "$DEPS_POLICY_TEXT" >"$DEPS_POLICY" )
chmod +x "$DEPS_POLICY"
deps apache2
check "a policy an interrupted run left is removed" [ ! -e "$DEPS_POLICY" ]

# The machine's own (a Docker image's, say) stays as it was.
printf '#!/bin/sh\nexit 0\n' >"$DEPS_POLICY"
chmod +x "$DEPS_POLICY"
cp -p "$DEPS_POLICY" "$TMP/policy.before"
: >"$APT_LOG"
deps apache2
is "the machine's policy-rc.d is the one in force" "$(cat "$APT_LOG")" \
	"install: policy says 0"
check "and is left as it was" cmp -s "$DEPS_POLICY" "$TMP/policy.before"
