-- Post-clearance audit findings (record_audit) become credit events like
-- inspection findings: the trigger of 0101 follows them too.
DROP TRIGGER declaration_events_credit_feed ON declaration_events;

CREATE TRIGGER declaration_events_credit_feed AFTER INSERT ON declaration_events FOR EACH ROW
	WHEN (NEW.action IN ('record_result', 'record_audit', 'reject', 'amend')) EXECUTE FUNCTION credit_feed_event();

INSERT INTO credit_feed (declaration_id, seq)
	SELECT declaration_id, seq FROM declaration_events WHERE action = 'record_audit'
	ON CONFLICT DO NOTHING;
