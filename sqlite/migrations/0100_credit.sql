-- Enterprise registry: status, address, personal data and AEO standing.
-- JSON columns hold the small nested records; nothing filters on them.
ALTER TABLE enterprises ADD COLUMN status       TEXT    NOT NULL DEFAULT 'active';
ALTER TABLE enterprises ADD COLUMN address      TEXT    NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN legal_rep    TEXT;    -- JSON object
ALTER TABLE enterprises ADD COLUMN contacts     TEXT;    -- JSON array
ALTER TABLE enterprises ADD COLUMN aeo          TEXT;    -- JSON object
ALTER TABLE enterprises ADD COLUMN aeo_partners TEXT;    -- JSON array
ALTER TABLE enterprises ADD COLUMN updated_at   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE enterprises ADD COLUMN updated_by   TEXT    NOT NULL DEFAULT '';
CREATE INDEX enterprises_customs ON enterprises (customs, scc);

-- Credit events are append-only. Days are Beijing day numbers (days since
-- 1970-01-01), amounts decimal text in CNY.
CREATE TABLE credit_events (
	id           INTEGER PRIMARY KEY,
	scc          TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	on_day       INTEGER NOT NULL,
	source       TEXT    NOT NULL,
	reference    TEXT    NOT NULL,
	amount       TEXT    NOT NULL,
	intentional  INTEGER,            -- NULL: not a penalty
	criminal     INTEGER NOT NULL,
	due_day      INTEGER NOT NULL,
	until_day    INTEGER NOT NULL,
	department   TEXT    NOT NULL,
	refers_to    INTEGER NOT NULL,
	supersedes   INTEGER NOT NULL,
	declarations INTEGER,            -- NULL: not an activity event
	lists        INTEGER,
	manifests    INTEGER,
	inspections  INTEGER,
	note         TEXT    NOT NULL,
	recorded_at  INTEGER NOT NULL,
	recorded_by  TEXT    NOT NULL
) STRICT;
CREATE INDEX credit_events_scc ON credit_events (scc, id);

-- The last grade and score of every enterprise, written when they change.
CREATE TABLE credit_results (
	scc    TEXT    PRIMARY KEY,
	grade  TEXT    NOT NULL,
	score  INTEGER NOT NULL,
	on_day INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The audit trail of grade changes, with the grounds in force (JSON).
CREATE TABLE credit_grade_changes (
	id         INTEGER PRIMARY KEY,
	scc        TEXT    NOT NULL,
	from_grade TEXT    NOT NULL,
	to_grade   TEXT    NOT NULL,
	on_day     INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	cause      TEXT    NOT NULL,
	by_user    TEXT    NOT NULL,
	score      INTEGER NOT NULL,
	grounds    TEXT    NOT NULL
) STRICT;
CREATE INDEX credit_grade_changes_scc ON credit_grade_changes (scc, id);

-- Repair applications; doc is the whole application as JSON.
CREATE TABLE credit_repairs (
	id         INTEGER PRIMARY KEY,
	scc        TEXT    NOT NULL,
	status     TEXT    NOT NULL,
	applied_at INTEGER NOT NULL,
	doc        TEXT    NOT NULL
) STRICT;
CREATE INDEX credit_repairs_status ON credit_repairs (status, id);
CREATE INDEX credit_repairs_scc ON credit_repairs (scc, id);

-- AEO certification decisions, as recorded.
CREATE TABLE credit_certifications (
	id         INTEGER PRIMARY KEY,
	scc        TEXT    NOT NULL,
	decided_at INTEGER NOT NULL,
	doc        TEXT    NOT NULL
) STRICT;
CREATE INDEX credit_certifications_scc ON credit_certifications (scc, id);
