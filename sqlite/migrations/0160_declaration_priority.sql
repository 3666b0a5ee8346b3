-- Priority handling (差别化管理措施): the risk decision flags declarations
-- of traders whose credit grade earns it, and the officers' review and
-- inspection queues list them first. A column, so the queue never decodes
-- documents; declarations still open take the flag their decision has.
ALTER TABLE declarations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
UPDATE declarations SET priority = 1
	WHERE status IN ('risk_assessed', 'under_review', 'under_inspection', 'inspected', 'assessed', 'paid', 'guaranteed')
	AND json_extract(doc, '$.risk.priority') = 1;
