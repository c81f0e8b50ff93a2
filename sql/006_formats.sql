-- The formats of issue 18 (API.md, "Formats taken").  AVIF is stored and
-- served as uploaded; HEIC/HEIF, TIFF and BMP are kept as sent under
-- "ID/upload.EXT" beside a display copy, JPEG or PNG, which is the
-- original that browsers are shown and the resizer reads.
--
-- images.type stays what "original" is.  Both new columns are NULL for
-- the formats that need neither, which is every row stored before: no
-- table is rewritten, and a NULL costs a bit of the null bitmap.

ALTER TYPE image_type ADD VALUE 'avif';
ALTER TYPE image_type ADD VALUE 'heic';
ALTER TYPE image_type ADD VALUE 'tiff';
ALTER TYPE image_type ADD VALUE 'bmp';

-- upload_type: the file as sent, when it is not the original (HEIC,
-- TIFF, BMP).  variant_type: the format of the variants when it is not
-- the original's (an AVIF's are JPEG, or PNG when it has alpha).
ALTER TABLE images
	ADD COLUMN upload_type image_type,
	ADD COLUMN variant_type image_type;

-- A purge names every URL the image had, the upload's and the variants'
-- among them.
ALTER TABLE purge_jobs
	ADD COLUMN upload_type image_type,
	ADD COLUMN variant_type image_type;

CREATE OR REPLACE FUNCTION claim_end(p_image bigint, p_selector bigint,
    p_verifier bytea, p_base_url text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	t	image_type;
	ut	image_type;
	vt	image_type;
BEGIN
	SELECT type, upload_type, variant_type INTO t, ut, vt
		FROM images WHERE id = p_image FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'no_image';
	END IF;
	DELETE FROM claims WHERE image_id = p_image
		AND selector = p_selector AND verifier = p_verifier;
	IF NOT FOUND THEN
		RETURN 'no_claim';
	END IF;
	PERFORM 1 FROM claims WHERE image_id = p_image LIMIT 1;
	IF FOUND THEN
		RETURN 'kept';
	END IF;
	DELETE FROM images WHERE id = p_image;
	INSERT INTO purge_jobs (image_id, type, upload_type, variant_type,
		selector, verifier, base_url)
		VALUES (p_image, t, ut, vt, p_selector, p_verifier, p_base_url)
		ON CONFLICT (image_id) DO NOTHING;
	PERFORM pg_notify('resize_jobs', '');
	RETURN 'deleted';
END $$;
