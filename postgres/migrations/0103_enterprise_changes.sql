-- The audit trail of registrations and updates of the enterprise
-- registry: who changed which fields (personal data by name only).
CREATE TABLE enterprise_changes (
	id      bigserial   PRIMARY KEY,
	scc     text        NOT NULL,
	at      timestamptz NOT NULL,
	by_user text        NOT NULL,
	doc     jsonb       NOT NULL
);
CREATE INDEX enterprise_changes_scc ON enterprise_changes (scc, id);
