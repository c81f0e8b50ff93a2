-- Claims: every upload's hold on its image, ended by its delete token
-- (API.md, "Ownership and deletion"), and the purge jobs that remove
-- what is left of an image once its last claim has ended.
--
-- A token is a selector and a secret.  The selector (64 random bits)
-- finds the claim through the primary key; only SHA-256 of the secret
-- (128 random bits) is stored, and the app compares it in constant
-- time.  So neither the table nor an index lookup says anything about
-- a secret, and a token read back from a backup deletes nothing.
--
-- Images stored before this migration have no claims: only an operator
-- removes them (imghost-admin takedown), as before.

CREATE TABLE claims (
	image_id	bigint		NOT NULL
			REFERENCES images (id) ON DELETE CASCADE,
	selector	bigint		NOT NULL,
	created_at	timestamptz	NOT NULL DEFAULT now(),
	verifier	bytea		NOT NULL CHECK (length(verifier) = 32),
	-- A DELETE finds its claim by the image of its URL and the selector
	-- of its token; with image_id leading it also counts an image's
	-- claims and serves the cascade.
	CONSTRAINT claims_pkey PRIMARY KEY (image_id, selector)
);

-- What deleting an image leaves to do outside the request: the blobs of
-- every size and format (the request deletes them too, but may fail
-- half-way), and the purge_command that drops a CDN's copies.  Claimed by
-- the resizers like resize jobs; the row also keeps the id from being
-- drawn again while a CDN may still hold its old URLs.
CREATE TABLE purge_jobs (
	image_id	bigint		NOT NULL,
	created_at	timestamptz	NOT NULL DEFAULT now(),
	run_after	timestamptz	NOT NULL DEFAULT now(),
	attempts	integer		NOT NULL DEFAULT 0,
	claimed_by	integer,
	type		image_type	NOT NULL,
	state		job_state	NOT NULL DEFAULT 'queued',
	-- The ended claim's selector and verifier: a DELETE retried after a
	-- store failure finds its job by them and finishes it.
	selector	bigint		NOT NULL,
	verifier	bytea		NOT NULL,
	-- The base of the URLs given to purge_command: public_url, or the
	-- request's own when it is not set.
	base_url	text		NOT NULL,
	last_error	text,
	CONSTRAINT purge_jobs_pkey PRIMARY KEY (image_id)
);

CREATE INDEX purge_jobs_claim ON purge_jobs (run_after)
	WHERE state <> 'failed';

-- Ends one claim: 'no_image' when the image has no row, 'no_claim' when
-- the claim is not one of its live ones, 'kept' when other claims
-- remain, 'deleted' when it was the last: the image's rows are gone
-- (variants and jobs by cascade) and its purge job is queued.  The image
-- row is locked first, so the last two claims ended at once delete it
-- once, and an upload adding a claim meanwhile (whose foreign key check
-- locks the same row) either lands before the count, which keeps the
-- image, or fails on the deleted row and stores the bytes anew.  Each
-- statement of a plpgsql function sees what committed before it, which
-- one SQL statement would not.
CREATE FUNCTION claim_end(p_image bigint, p_selector bigint,
    p_verifier bytea, p_base_url text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	t	image_type;
BEGIN
	SELECT type INTO t FROM images WHERE id = p_image FOR UPDATE;
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
	INSERT INTO purge_jobs (image_id, type, selector, verifier, base_url)
		VALUES (p_image, t, p_selector, p_verifier, p_base_url)
		ON CONFLICT (image_id) DO NOTHING;
	PERFORM pg_notify('resize_jobs', '');
	RETURN 'deleted';
END $$;
