-- Alex's schema. gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed
-- (the embedded PostgreSQL has no uuid-ossp).

CREATE TABLE users (
    clerk_user_id            VARCHAR(255) PRIMARY KEY,
    display_name             VARCHAR(255),
    years_until_retirement   INTEGER CHECK (years_until_retirement BETWEEN 0 AND 80),
    target_retirement_income NUMERIC(12, 2) CHECK (target_retirement_income >= 0),
    asset_class_targets      JSONB NOT NULL DEFAULT '{"equity": 70, "fixed_income": 30}',
    region_targets           JSONB NOT NULL DEFAULT '{"north_america": 50, "international": 50}',
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE instruments (
    symbol                 VARCHAR(20) PRIMARY KEY,
    name                   VARCHAR(255) NOT NULL,
    instrument_type        VARCHAR(50),
    current_price          NUMERIC(12, 4) CHECK (current_price >= 0),
    allocation_regions     JSONB NOT NULL DEFAULT '{}',
    allocation_sectors     JSONB NOT NULL DEFAULT '{}',
    allocation_asset_class JSONB NOT NULL DEFAULT '{}',
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    clerk_user_id   VARCHAR(255) NOT NULL REFERENCES users (clerk_user_id) ON DELETE CASCADE,
    account_name    VARCHAR(255) NOT NULL,
    account_purpose TEXT,
    cash_balance    NUMERIC(12, 2) NOT NULL DEFAULT 0,
    cash_interest   NUMERIC(5, 4) NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_accounts_user ON accounts (clerk_user_id);

CREATE TABLE positions (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    symbol     VARCHAR(20) NOT NULL REFERENCES instruments (symbol),
    quantity   NUMERIC(20, 8) NOT NULL CHECK (quantity > 0),
    as_of_date DATE NOT NULL DEFAULT CURRENT_DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (account_id, symbol)
);
CREATE INDEX idx_positions_account ON positions (account_id);

CREATE TABLE jobs (
    id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    clerk_user_id      VARCHAR(255) NOT NULL REFERENCES users (clerk_user_id) ON DELETE CASCADE,
    job_type           VARCHAR(50) NOT NULL DEFAULT 'portfolio_analysis',
    status             VARCHAR(20) NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    request_payload    JSONB,
    report_payload     JSONB,
    charts_payload     JSONB,
    retirement_payload JSONB,
    summary_payload    JSONB,
    error_message      TEXT,
    started_at         TIMESTAMPTZ,
    completed_at       TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_jobs_user ON jobs (clerk_user_id);
CREATE INDEX idx_jobs_status ON jobs (status);

CREATE FUNCTION update_updated_at_column() RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = clock_timestamp();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER update_users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_instruments_updated_at BEFORE UPDATE ON instruments
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_accounts_updated_at BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_positions_updated_at BEFORE UPDATE ON positions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_jobs_updated_at BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
