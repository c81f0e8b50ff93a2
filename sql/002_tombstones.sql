-- Tombstones: images an operator took down (imghost-admin takedown).
--
-- The hash keeps the same bytes from being uploaded again; the id lets
-- the image's URLs answer 410 Gone instead of 404.  Both are looked up
-- only when the images table has no row, so serving pays nothing for
-- this table while an image exists.

CREATE TABLE tombstones (
	image_id	bigint		NOT NULL,
	created_at	timestamptz	NOT NULL DEFAULT now(),
	sha256		bytea		NOT NULL CHECK (length(sha256) = 32),
	reason		text,
	-- An upload looks its bytes up here when they are new to images.
	CONSTRAINT tombstones_pkey PRIMARY KEY (sha256)
);

-- A miss on /i/{id}... looks the id up here.  Not unique: an id freed by
-- a takedown is never drawn again (uploads check this table too), but a
-- second takedown of the same id must not fail.
CREATE INDEX tombstones_image_id ON tombstones (image_id);
