-- Credit events from clearance: inspection findings, rejections and
-- amendments of declarations. The trigger is a transactional outbox like
-- risk_feed: the credit module takes and deletes feed rows in the
-- transaction that stores the credit events they become.
CREATE TABLE credit_feed (
	declaration_id INTEGER NOT NULL,
	seq            INTEGER NOT NULL,
	PRIMARY KEY (declaration_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER declaration_events_credit_feed AFTER INSERT ON declaration_events
WHEN NEW.action IN ('record_result', 'reject', 'amend')
BEGIN
	INSERT INTO credit_feed (declaration_id, seq) VALUES (NEW.declaration_id, NEW.seq);
END;

CREATE TRIGGER declaration_events_credit_unfeed AFTER DELETE ON declaration_events
BEGIN
	DELETE FROM credit_feed WHERE declaration_id = OLD.declaration_id AND seq = OLD.seq;
END;
