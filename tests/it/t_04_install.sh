# make install honours DESTDIR and installs programs, SQL and examples.
. "$(dirname "$0")/lib.sh"

dest=$TMP/dest
make -s -C "$TOP" install DESTDIR="$dest" >"$TMP/out" 2>&1
check "make install DESTDIR succeeds" [ $? -eq 0 ]
for f in bin/imghost-fcgi bin/imghost-resize bin/imghost-admin; do
	check "installs $f" [ -x "$dest/usr/local/$f" ]
done
for f in sql/001_init.sql sql/002_tombstones.sql sql/003_admin_progress.sql \
    examples/lighttpd.conf \
    examples/imghost.conf.example; do
	check "installs share/imghost/$f" [ -s "$dest/usr/local/share/imghost/$f" ]
done
check "installs nothing outside DESTDIR" \
	[ -z "$(find "$dest" -mindepth 1 -maxdepth 1 ! -name usr)" ]
