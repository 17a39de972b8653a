-- Explainability and observability: one audit record per model decision, the job's
-- trace spans, and the bookkeeping that lets a job never be lost (attempts, lease).

ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_expires_at TIMESTAMPTZ;
ALTER TABLE jobs ADD COLUMN request_id VARCHAR(100);

CREATE TABLE audit_records (
    id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id         UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    agent          VARCHAR(50) NOT NULL,
    model          VARCHAR(255) NOT NULL,
    input_hash     CHAR(64) NOT NULL,
    output_summary TEXT NOT NULL,
    rationale      TEXT,
    duration_ms    INTEGER NOT NULL CHECK (duration_ms >= 0),
    guardrails     JSONB NOT NULL DEFAULT '[]',
    outcome        VARCHAR(20) NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'fallback', 'error')),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX idx_audit_job ON audit_records (job_id, created_at);

CREATE TABLE trace_spans (
    span_id     VARCHAR(64) PRIMARY KEY,
    job_id      UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    trace_id    VARCHAR(64) NOT NULL,
    parent_id   VARCHAR(64),
    kind        VARCHAR(30) NOT NULL,
    name        VARCHAR(255) NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    ended_at    TIMESTAMPTZ,
    duration_ms DOUBLE PRECISION,
    attributes  JSONB NOT NULL DEFAULT '{}',
    error       TEXT
);
CREATE INDEX idx_spans_job ON trace_spans (job_id, started_at);
