CREATE TABLE tenants (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    plan TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE activity (
    id BIGSERIAL PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    payload JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX ix_activity_created_at ON activity (created_at);

CREATE TABLE documents (
    id BIGSERIAL PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    title TEXT NOT NULL,
    tags TEXT[] NOT NULL DEFAULT '{}',
    archived_at TIMESTAMPTZ
);

CREATE INDEX ix_documents_tenant_id ON documents (tenant_id);

CREATE INDEX ix_activity_kind ON activity ((payload ->> 'kind'));
