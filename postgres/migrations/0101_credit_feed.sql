-- Credit events from clearance: inspection findings, rejections and
-- amendments of declarations. The trigger is a transactional outbox like
-- risk_feed: the credit module takes (FOR UPDATE SKIP LOCKED) and deletes
-- feed rows in the transaction that stores the credit events they become.
CREATE TABLE credit_feed (
	declaration_id bigint  NOT NULL,
	seq            integer NOT NULL,
	PRIMARY KEY (declaration_id, seq)
);

CREATE FUNCTION credit_feed_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO credit_feed (declaration_id, seq) VALUES (NEW.declaration_id, NEW.seq);
	RETURN NULL;
END $$;

CREATE TRIGGER declaration_events_credit_feed AFTER INSERT ON declaration_events FOR EACH ROW
	WHEN (NEW.action IN ('record_result', 'reject', 'amend')) EXECUTE FUNCTION credit_feed_event();

CREATE FUNCTION credit_unfeed_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM credit_feed WHERE declaration_id = OLD.declaration_id AND seq = OLD.seq;
	RETURN NULL;
END $$;

CREATE TRIGGER declaration_events_credit_unfeed AFTER DELETE ON declaration_events FOR EACH ROW
	EXECUTE FUNCTION credit_unfeed_event();
