-- The first schema: images, their variants, and the resize job queue.
--
-- Sized for two billion images and six variants each.  An image id is the
-- 48 bits of its public 8-character id as a bigint: 8 bytes in a row and
-- 16 in an index entry, where text would take 24.  Hashes are raw bytes,
-- formats an enum (4 bytes).  Columns run from wide to narrow so no row
-- pays for alignment padding.

CREATE TYPE image_type AS ENUM ('jpeg', 'png', 'gif', 'webp');

CREATE TABLE images (
	id		bigint		NOT NULL,
	bytes		bigint		NOT NULL CHECK (bytes > 0),
	created_at	timestamptz	NOT NULL DEFAULT now(),
	width		integer		NOT NULL CHECK (width > 0),
	height		integer		NOT NULL CHECK (height > 0),
	frames		integer		NOT NULL DEFAULT 1 CHECK (frames > 0),
	type		image_type	NOT NULL,
	sha256		bytea		NOT NULL CHECK (length(sha256) = 32),
	-- Every page, API call and fallback looks an image up by its id.
	CONSTRAINT images_pkey PRIMARY KEY (id),
	-- Deduplication: an upload finds bytes stored already by their hash,
	-- and the uniqueness makes two simultaneous uploads of the same new
	-- bytes end on one row.
	CONSTRAINT images_sha256_key UNIQUE (sha256)
);

CREATE TABLE variants (
	image_id	bigint		NOT NULL
			REFERENCES images (id) ON DELETE CASCADE,
	bytes		bigint		NOT NULL CHECK (bytes > 0),
	created_at	timestamptz	NOT NULL DEFAULT now(),
	width		integer		NOT NULL CHECK (width > 0),
	height		integer		NOT NULL CHECK (height > 0),
	format		image_type	NOT NULL,
	-- A name from the size list ("small"), not a number, so changing a
	-- box's pixels in the configuration needs no migration.
	size		text		NOT NULL,
	-- One row per variant; with image_id leading it is also the index
	-- that lists an image's variants and that ON DELETE CASCADE uses, so
	-- the table needs no other.
	CONSTRAINT variants_pkey PRIMARY KEY (image_id, size, format)
);

CREATE TYPE job_state AS ENUM ('queued', 'running', 'failed');

-- One job per image makes all of its variants.  Finished jobs are deleted,
-- so the table holds the backlog, not the history.
CREATE TABLE resize_jobs (
	image_id	bigint		NOT NULL
			REFERENCES images (id) ON DELETE CASCADE,
	created_at	timestamptz	NOT NULL DEFAULT now(),
	-- When the job may be claimed: for a queued job, now or the end of
	-- its backoff after a failure; for a running job, the end of the
	-- worker's lease, so a job whose worker was killed is claimed
	-- again once the lease runs out.  One column serves both, so the
	-- claim query reads one index.
	run_after	timestamptz	NOT NULL DEFAULT now(),
	attempts	integer		NOT NULL DEFAULT 0,
	state		job_state	NOT NULL DEFAULT 'queued',
	last_error	text,
	CONSTRAINT resize_jobs_pkey PRIMARY KEY (image_id)
);

-- The claim query takes the jobs whose time has come, oldest first.
-- Partial, so failed jobs kept for the operator cost the claim nothing.
CREATE INDEX resize_jobs_claim ON resize_jobs (run_after)
	WHERE state <> 'failed';

-- Every new job wakes the resizers that LISTEN, so variants start at once
-- instead of at the next poll.  Per statement: one wake-up a batch.
CREATE FUNCTION resize_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('resize_jobs', '');
	RETURN NULL;
END $$;
CREATE TRIGGER resize_jobs_notify AFTER INSERT ON resize_jobs
	FOR EACH STATEMENT EXECUTE FUNCTION resize_jobs_notify();
