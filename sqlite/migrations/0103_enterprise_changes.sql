-- The audit trail of registrations and updates of the enterprise
-- registry: who changed which fields (personal data by name only).
CREATE TABLE enterprise_changes (
	id      INTEGER PRIMARY KEY,
	scc     TEXT    NOT NULL,
	at      INTEGER NOT NULL,
	by_user TEXT    NOT NULL,
	doc     TEXT    NOT NULL
) STRICT;
CREATE INDEX enterprise_changes_scc ON enterprise_changes (scc, id);
