-- Post-clearance audit results (record_audit) feed the risk facts too:
-- the blue lane's check, counted in effectiveness and party history.
DROP TRIGGER declaration_events_risk_feed ON declaration_events;

CREATE TRIGGER declaration_events_risk_feed AFTER INSERT ON declaration_events FOR EACH ROW
	WHEN (NEW.action IN ('assess_risk', 'reroute', 'record_result', 'record_audit')) EXECUTE FUNCTION risk_feed_event();

INSERT INTO risk_feed (declaration_id, seq)
	SELECT declaration_id, seq FROM declaration_events WHERE action = 'record_audit'
	ON CONFLICT DO NOTHING;
