# lighttpd with the FastCGI app, from the top-level lighttpd.conf.  Sourced.
#
# The configuration is derived from the shipped file by replacing its
# var.* lines alone, so the tests run what production runs.

# lighttpd_app_top TOP DIR: prints TOP, or where TOP has whitespace, a
# path to it without: lighttpd splits "bin-path" at spaces and tabs into
# the program and its arguments, with no quoting.  That path is a symlink
# in a directory of its own that mktemp makes under /tmp (so nobody else
# can have put it there), named in DIR/run/top.link for lighttpd_stop.
# Through a link to TOP, not to the program, the app's working directory
# (lighttpd's chdir to the bin-path's directory) is still TOP.
lighttpd_app_top() {
	local top=$1 dir=$2 link
	case $top in
	*[[:space:]]*) ;;
	*) echo "$top"; return 0 ;;
	esac
	lighttpd_unlink "$dir"
	link=$(mktemp -d /tmp/imghost-top.XXXXXXXX) &&
	ln -s "$top" "$link/top" &&
	echo "$link" >"$dir/run/top.link" &&
	echo "$link/top"
}

# lighttpd_unlink DIR: removes the link of lighttpd_app_top, if any.
lighttpd_unlink() {
	local link
	[ -f "$1/run/top.link" ] || return 0
	link=$(cat "$1/run/top.link")
	case $link in /tmp/imghost-top.*) rm -rf "$link" ;; esac
	rm -f "$1/run/top.link"
}

# lighttpd_conf TOP DIR PORT STORE_ROOT: writes DIR/lighttpd.conf.
lighttpd_conf() {
	local top=$1 dir=$2 port=$3 store=$4 app
	mkdir -p "$dir/run" "$dir/log" "$store"
	app=$(lighttpd_app_top "$top" "$dir")/imghost-fcgi || return 1
	sed -e "s|^var.port\t*=.*|var.port = $port|" \
	    -e "s|^var.bind\t*=.*|var.bind = \"127.0.0.1\"|" \
	    -e "s|^var.store_root\t*=.*|var.store_root = \"$store\"|" \
	    -e "s|^var.cache_root\t*=.*|var.cache_root = \"$dir/cache\"|" \
	    -e "s|^var.rundir\t*=.*|var.rundir = \"$dir/run\"|" \
	    -e "s|^var.logdir\t*=.*|var.logdir = \"$dir/log\"|" \
	    -e "s|^var.fcgi_app\t*=.*|var.fcgi_app = \"$app\"|" \
	    -e "s|^var.headers_lua\t*=.*|var.headers_lua = \"$top/lighttpd-headers.lua\"|" \
	    -e "s|^var.metrics_from\t*=.*|var.metrics_from = \"127.0.0.1/32\"|" \
	    -e "s|^var.acme_root\t*=.*|var.acme_root = \"$dir/acme\"|" \
	    -e "s|^var.tls_conf\t*=.*|var.tls_conf = \"$top/lighttpd-tls.conf\"|" \
	    "$top/lighttpd.conf" >"$dir/lighttpd.conf"
	# A line that was not replaced would point the tests at /var or /run.
	if grep -Eq '^var\.(rundir|logdir|store_root|cache_root|headers_lua|acme_root|tls_conf)[[:space:]]*=[[:space:]]*"/(var|run|usr)/' "$dir/lighttpd.conf"; then
		echo "lighttpd: could not derive $dir/lighttpd.conf" >&2
		return 1
	fi
}

# lighttpd_start TOP DIR PORT STORE_ROOT: starts lighttpd in the
# background with the environment of the caller (the IMGHOST_* keys reach
# the app through it) and waits until it answers.
lighttpd_start() {
	lighttpd_conf "$@" && lighttpd_run "$2" "$3"
}

# lighttpd_run DIR PORT: lighttpd_start with the DIR/lighttpd.conf that
# lighttpd_conf wrote, changed since by the caller (tests/it/t_61_tls.sh
# turns HTTPS on in it).  PORT is its plain HTTP port.
lighttpd_run() {
	local dir=$1 port=$2 i
	lighttpd -tt -f "$dir/lighttpd.conf" >"$dir/log/check.log" 2>&1 || {
		cat "$dir/log/check.log" >&2
		return 1
	}
	lighttpd -D -f "$dir/lighttpd.conf" >>"$dir/log/stderr.log" 2>&1 &
	echo $! >"$dir/run/lighttpd.pid"
	for i in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
		kill -0 "$(cat "$dir/run/lighttpd.pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "lighttpd on port $port did not start:" >&2
	tail -n 20 "$dir/log/error.log" "$dir/log/stderr.log" >&2
	return 1
}

# lighttpd_stop DIR: stops lighttpd and, with it, the FastCGI processes.
lighttpd_stop() {
	local pidfile=$1/run/lighttpd.pid pid i
	[ -f "$pidfile" ] || { lighttpd_unlink "$1"; return 0; }
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	rm -f "$pidfile"
	lighttpd_unlink "$1"
	return 0
}
