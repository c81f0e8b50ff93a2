# /healthz and the answers every URL gets, on both stores.
. "$(dirname "$0")/lib.sh"

for store in fs s3; do
	[ $store = fs ] && base=$FS_URL || base=$S3_URL

	req "$base/healthz"
	is "$store: /healthz answers 200" "$STATUS" 200
	is "$store: database named ok" "$(json .database)" ok
	is "$store: store named ok" "$(json .store)" ok
	is "$store: store driver named" "$(json .store_driver)" $store
	like "$store: JSON content type" "$(header content-type)" '^application/json'
	is "$store: /healthz is not cached" "$(header cache-control)" no-store

	req -I "$base/healthz"
	is "$store: HEAD /healthz" "$STATUS" 200

	req -d "" "$base/healthz"
	is "$store: POST /healthz is 405" "$STATUS" 405
	is "$store: 405 names the methods allowed" "$(header allow)" "GET, HEAD"
	is "$store: 405 error code" "$(json .error.code)" method_not_allowed

	for path in /nope /api/v2/x /i/x /api/v1/images/aB3dE_9 /_fallback \
	    /api/v1/images/aB3dE_9x/x; do
		req --path-as-is "$base$path"
		is "$store: $path is 404" "$STATUS" 404
		is "$store: $path error code" "$(json .error.code)" not_found
	done
	# Dot segments, encoded or not, are no path of the app's (lighttpd
	# hands those it refuses itself to the app's error handler).
	for path in /i/../etc/passwd '/%2e%2e/x' /./healthz /i/./x.jpg; do
		req --path-as-is "$base$path"
		is "$store: $path is refused: 404 not_found" \
			"$STATUS $(json .error.code)" "404 not_found"
	done

	long=$(head -c 5000 /dev/zero | tr '\0' a)
	req "$base/$long"
	is "$store: an over-long URL is 404" "$STATUS" 404
done
