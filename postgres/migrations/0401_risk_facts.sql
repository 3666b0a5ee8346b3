-- Risk facts: how each declaration was selected and what its check found,
-- projected from the declaration events. The trigger is a transactional
-- outbox: the feed row commits with the event, and a projector takes
-- (FOR UPDATE SKIP LOCKED, so nodes share the work) and deletes feed rows
-- in the transaction that stores the facts: no event is lost or applied
-- twice across crashes.
CREATE TABLE risk_feed (
	declaration_id bigint  NOT NULL,
	seq            integer NOT NULL,
	PRIMARY KEY (declaration_id, seq)
);

CREATE FUNCTION risk_feed_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO risk_feed (declaration_id, seq) VALUES (NEW.declaration_id, NEW.seq);
	RETURN NULL;
END $$;

CREATE TRIGGER declaration_events_risk_feed AFTER INSERT ON declaration_events FOR EACH ROW
	WHEN (NEW.action IN ('assess_risk', 'reroute', 'record_result')) EXECUTE FUNCTION risk_feed_event();

-- An event taken back inside its transaction (a conflicting append) takes
-- its feed row with it.
CREATE FUNCTION risk_unfeed_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM risk_feed WHERE declaration_id = OLD.declaration_id AND seq = OLD.seq;
	RETURN NULL;
END $$;

CREATE TRIGGER declaration_events_risk_unfeed AFTER DELETE ON declaration_events FOR EACH ROW
	EXECUTE FUNCTION risk_unfeed_event();

INSERT INTO risk_feed (declaration_id, seq)
	SELECT declaration_id, seq FROM declaration_events WHERE action IN ('assess_risk', 'reroute', 'record_result');

-- doc is the Fact as JSON; the columns are what counts and ranges read.
CREATE TABLE risk_facts (
	declaration_id bigint      PRIMARY KEY,
	decided_at     timestamptz NOT NULL,
	trader         text        NOT NULL,
	agent          text        NOT NULL,
	inspected      integer     NOT NULL,
	finding        integer     NOT NULL,
	inspected_at   timestamptz,
	doc            json        NOT NULL
);
CREATE INDEX risk_facts_decided_at ON risk_facts (decided_at);
