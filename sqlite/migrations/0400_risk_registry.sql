-- Risk profile registry: every version of every profile with its status
-- (doc is the profile as JSON, status the authoritative column), and the
-- audit trail of registry actions.
CREATE TABLE risk_profiles (
	id         TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	status     TEXT    NOT NULL,
	updated_at INTEGER NOT NULL,
	doc        TEXT    NOT NULL,
	PRIMARY KEY (id, version)
) STRICT;
CREATE INDEX risk_profiles_status ON risk_profiles (status);

CREATE TABLE risk_profile_events (
	seq        INTEGER PRIMARY KEY,
	profile_id TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	action     TEXT    NOT NULL,
	actor      TEXT    NOT NULL,
	role       TEXT    NOT NULL,
	at         INTEGER NOT NULL,
	reason     TEXT    NOT NULL
) STRICT;
CREATE INDEX risk_profile_events_profile ON risk_profile_events (profile_id, seq);

CREATE TABLE risk_lists (
	name       TEXT    PRIMARY KEY,
	updated_at INTEGER NOT NULL,
	doc        TEXT    NOT NULL
) STRICT;

CREATE TABLE risk_ref_prices (
	code       TEXT    NOT NULL,
	origin     TEXT    NOT NULL,
	valid_from INTEGER NOT NULL,
	valid_to   INTEGER,
	price      TEXT    NOT NULL,
	source     TEXT    NOT NULL,
	PRIMARY KEY (code, origin, valid_from)
) STRICT;

-- generation changes with every change the engine compiles; nodes poll it.
CREATE TABLE risk_state (
	name  TEXT    PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;
INSERT INTO risk_state (name, value) VALUES ('generation', 1);
