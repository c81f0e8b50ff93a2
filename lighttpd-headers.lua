-- lighttpd-headers.lua: the caching headers of what lighttpd sends from
-- disk itself (lighttpd.conf runs it at the start of each response from
-- the store and from static/).
--
-- Only a file that was found gets them.  A blob not made yet goes on to
-- the application (server.error-handler-404), whose 307 or 404 carries
-- its own Cache-Control: no-store; mod_setenv added its headers to those
-- answers too (it decides once, before lighttpd knows whether the file
-- exists), so a CDN could keep a stand-in redirect for a year.
local r = lighty.r
local status = r.req_item.http_status
if status ~= 200 and status ~= 206 and status ~= 304 then
	return 0
end
-- A blob never changes once written (API.md), nor does a fingerprinted
-- script; /favicon.ico has a name that stays, so it may change.
if r.req_attr["request.orig-uri"] == "/favicon.ico" then
	r.resp_header["Cache-Control"] = "public, max-age=86400"
else
	r.resp_header["Cache-Control"] = "public, max-age=31536000, immutable"
end
r.resp_header["X-Content-Type-Options"] = "nosniff"
return 0
