-- Times are UTC unix microseconds, like PostgreSQL's timestamptz precision.
-- doc holds the whole declaration as JSON; the other columns are what
-- lists and filters read, so a list never decodes documents.
CREATE TABLE declarations (
	id            INTEGER PRIMARY KEY,
	entry_id      TEXT    NOT NULL UNIQUE,
	seq_no        TEXT    NOT NULL UNIQUE,
	agent_scc     TEXT    NOT NULL,
	client_key    TEXT    NOT NULL,
	body_hash     TEXT    NOT NULL,
	status        TEXT    NOT NULL,
	lane          TEXT    NOT NULL,
	ie_flag       TEXT    NOT NULL,
	custom_master TEXT    NOT NULL,
	trade_co_scc  TEXT    NOT NULL,
	trade_name    TEXT    NOT NULL,
	owner_scc     TEXT    NOT NULL,
	trade_mode    TEXT    NOT NULL,
	item_count    INTEGER NOT NULL,
	tax_total     TEXT,
	declared_at   INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	version       INTEGER NOT NULL,
	doc           TEXT    NOT NULL,
	UNIQUE (agent_scc, client_key)
) STRICT;

-- Only what List and Pending filter on; every index costs on insert.
CREATE INDEX declarations_status ON declarations (status);
CREATE INDEX declarations_trade_co ON declarations (trade_co_scc);
CREATE INDEX declarations_custom_master ON declarations (custom_master);
CREATE INDEX declarations_declared_at ON declarations (declared_at);

CREATE TABLE declaration_items (
	declaration_id INTEGER NOT NULL REFERENCES declarations (id) ON DELETE CASCADE,
	g_no           INTEGER NOT NULL,
	code_ts        TEXT    NOT NULL,
	PRIMARY KEY (declaration_id, g_no)
) STRICT, WITHOUT ROWID;

CREATE INDEX declaration_items_code_ts ON declaration_items (code_ts);

CREATE TABLE declaration_events (
	declaration_id INTEGER NOT NULL REFERENCES declarations (id) ON DELETE CASCADE,
	seq            INTEGER NOT NULL,
	action         TEXT    NOT NULL,
	from_status    TEXT    NOT NULL,
	to_status      TEXT    NOT NULL,
	actor          TEXT    NOT NULL,
	role           TEXT    NOT NULL,
	at             INTEGER NOT NULL,
	reason         TEXT    NOT NULL,
	data           TEXT,
	PRIMARY KEY (declaration_id, seq)
) STRICT, WITHOUT ROWID;

-- High-water mark of allocated declaration ids. It is written outside the
-- ops' savepoints, so an id given to a rolled-back insert is never reused,
-- not even after a restart.
CREATE TABLE sequences (
	name TEXT    PRIMARY KEY,
	next INTEGER NOT NULL
) STRICT;
INSERT INTO sequences (name, next) VALUES ('declarations', 1);

CREATE TABLE users (
	name       TEXT    PRIMARY KEY,
	role       TEXT    NOT NULL,
	enterprise TEXT    NOT NULL,
	office     TEXT    NOT NULL,
	token_hash TEXT    NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE enterprises (
	scc           TEXT    PRIMARY KEY,
	name_zh       TEXT    NOT NULL,
	name_en       TEXT    NOT NULL,
	roles         TEXT    NOT NULL, -- JSON array
	customs       TEXT    NOT NULL,
	guarantee     INTEGER NOT NULL,
	registered_at INTEGER NOT NULL
) STRICT;
