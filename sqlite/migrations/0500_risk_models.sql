-- Risk models: every trained version with its file (gzip JSON) and what it
-- was measured on (doc, JSON); status is the authoritative column and at
-- most one version is active. The events are the audit trail of training,
-- promotion and rollback.
CREATE TABLE risk_models (
	version    INTEGER PRIMARY KEY,
	status     TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	doc        TEXT    NOT NULL,
	file       BLOB    NOT NULL
) STRICT;
CREATE UNIQUE INDEX risk_models_one_active ON risk_models (status) WHERE status = 'active';

CREATE TABLE risk_model_events (
	seq     INTEGER PRIMARY KEY,
	version INTEGER NOT NULL,
	action  TEXT    NOT NULL,
	actor   TEXT    NOT NULL,
	role    TEXT    NOT NULL,
	at      INTEGER NOT NULL,
	reason  TEXT    NOT NULL
) STRICT;
