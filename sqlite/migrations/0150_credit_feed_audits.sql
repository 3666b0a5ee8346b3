-- Post-clearance audit findings (record_audit) become credit events like
-- inspection findings: the trigger of 0101 follows them too.
DROP TRIGGER declaration_events_credit_feed;

CREATE TRIGGER declaration_events_credit_feed AFTER INSERT ON declaration_events
WHEN NEW.action IN ('record_result', 'record_audit', 'reject', 'amend')
BEGIN
	INSERT INTO credit_feed (declaration_id, seq) VALUES (NEW.declaration_id, NEW.seq);
END;

INSERT INTO credit_feed (declaration_id, seq)
	SELECT declaration_id, seq FROM declaration_events WHERE action = 'record_audit'
	ON CONFLICT DO NOTHING;
