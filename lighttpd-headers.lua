-- lighttpd-headers.lua: the caching headers of the blobs lighttpd sends
-- from the store itself (lighttpd.conf runs it at the start of each
-- response from the store).
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
-- A blob never changes once written (API.md).
r.resp_header["Cache-Control"] = "public, max-age=31536000, immutable"
r.resp_header["X-Content-Type-Options"] = "nosniff"
return 0
