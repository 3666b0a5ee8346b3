-- Risk facts: how each declaration was selected and what its check found,
-- projected from the declaration events. The trigger is a transactional
-- outbox: the feed row commits with the event, and the projector takes
-- and deletes feed rows in the transaction that stores the facts, so no
-- event is lost or applied twice across crashes.
CREATE TABLE risk_feed (
	declaration_id INTEGER NOT NULL,
	seq            INTEGER NOT NULL,
	PRIMARY KEY (declaration_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER declaration_events_risk_feed AFTER INSERT ON declaration_events
WHEN NEW.action IN ('assess_risk', 'reroute', 'record_result')
BEGIN
	INSERT INTO risk_feed (declaration_id, seq) VALUES (NEW.declaration_id, NEW.seq);
END;

-- An event taken back inside its transaction (a conflicting append) takes
-- its feed row with it.
CREATE TRIGGER declaration_events_risk_unfeed AFTER DELETE ON declaration_events
BEGIN
	DELETE FROM risk_feed WHERE declaration_id = OLD.declaration_id AND seq = OLD.seq;
END;

INSERT INTO risk_feed (declaration_id, seq)
	SELECT declaration_id, seq FROM declaration_events WHERE action IN ('assess_risk', 'reroute', 'record_result');

-- doc is the Fact as JSON; the columns are what counts and ranges read.
CREATE TABLE risk_facts (
	declaration_id INTEGER PRIMARY KEY,
	decided_at     INTEGER NOT NULL,
	trader         TEXT    NOT NULL,
	agent          TEXT    NOT NULL,
	inspected      INTEGER NOT NULL,
	finding        INTEGER NOT NULL,
	inspected_at   INTEGER,
	doc            TEXT    NOT NULL
) STRICT;
CREATE INDEX risk_facts_decided_at ON risk_facts (decided_at);
