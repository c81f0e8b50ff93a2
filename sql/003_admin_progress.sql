-- Progress of the long admin tasks (imghost-admin rebuild), so a task
-- that was killed resumes where it stopped instead of starting over.

CREATE TABLE admin_progress (
	task		text		NOT NULL,
	-- The last image id the task finished with; it goes on above it.
	last_id		bigint		NOT NULL DEFAULT -1,
	done		bigint		NOT NULL DEFAULT 0,
	started_at	timestamptz	NOT NULL DEFAULT now(),
	updated_at	timestamptz	NOT NULL DEFAULT now(),
	finished_at	timestamptz,
	CONSTRAINT admin_progress_pkey PRIMARY KEY (task)
);
