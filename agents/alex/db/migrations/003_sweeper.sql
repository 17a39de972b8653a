-- The scheduled sweeper (alex.planner.sweeper): how many times a job was put back on the
-- queue because nothing was working on it, so that re-queuing is bounded too.

ALTER TABLE jobs ADD COLUMN requeues INTEGER NOT NULL DEFAULT 0;
