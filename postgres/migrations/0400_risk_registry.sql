-- Risk profile registry: every version of every profile with its status
-- (doc is the profile as JSON, status the authoritative column), and the
-- audit trail of registry actions.
CREATE TABLE risk_profiles (
	id         text        NOT NULL,
	version    integer     NOT NULL,
	status     text        NOT NULL,
	updated_at timestamptz NOT NULL,
	doc        json        NOT NULL,
	PRIMARY KEY (id, version)
);
CREATE INDEX risk_profiles_status ON risk_profiles (status);

CREATE TABLE risk_profile_events (
	seq        bigserial   PRIMARY KEY,
	profile_id text        NOT NULL,
	version    integer     NOT NULL,
	action     text        NOT NULL,
	actor      text        NOT NULL,
	role       text        NOT NULL,
	at         timestamptz NOT NULL,
	reason     text        NOT NULL
);
CREATE INDEX risk_profile_events_profile ON risk_profile_events (profile_id, seq);

CREATE TABLE risk_lists (
	name       text        PRIMARY KEY,
	updated_at timestamptz NOT NULL,
	doc        json        NOT NULL
);

CREATE TABLE risk_ref_prices (
	code       text        NOT NULL,
	origin     text        NOT NULL,
	valid_from timestamptz NOT NULL,
	valid_to   timestamptz,
	price      numeric     NOT NULL,
	source     text        NOT NULL,
	PRIMARY KEY (code, origin, valid_from)
);

-- generation changes with every change the engine compiles; nodes poll it.
CREATE TABLE risk_state (
	name  text   PRIMARY KEY,
	value bigint NOT NULL
);
INSERT INTO risk_state (name, value) VALUES ('generation', 1);
