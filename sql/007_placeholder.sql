-- The placeholder of API.md: a ThumbHash of the image (about 25 bytes),
-- painted by a page while the image loads.  The resizer records it with
-- the variants it is made from, in the same statement; NULL until then,
-- and for every image made before.
ALTER TABLE images ADD COLUMN placeholder bytea
	CHECK (length(placeholder) BETWEEN 5 AND 32);
