-- Who holds a running job: the PostgreSQL backend (pg_backend_pid()) of
-- the resizer's connection that claimed it.  A resizer that dies, is
-- killed, or loses the database loses that connection, and the claim
-- takes its jobs again at once instead of after the lease; the lease
-- (run_after) still bounds a claim whose backend lives on.
ALTER TABLE resize_jobs ADD COLUMN claimed_by integer;

-- Running jobs are few (one a worker): the claim looks for those whose
-- backend is gone through this index, not through the whole queue.
CREATE INDEX resize_jobs_running ON resize_jobs (image_id)
	WHERE state = 'running';
