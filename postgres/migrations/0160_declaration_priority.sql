-- Priority handling (差别化管理措施): the risk decision flags declarations
-- of traders whose credit grade earns it, and the officers' review and
-- inspection queues list them first. A column, so the queue never decodes
-- documents; declarations still open take the flag their decision has.
ALTER TABLE declarations ADD COLUMN priority boolean NOT NULL DEFAULT false;
UPDATE declarations SET priority = true
	WHERE status IN ('risk_assessed', 'under_review', 'under_inspection', 'inspected', 'assessed', 'paid', 'guaranteed')
	AND (doc -> 'risk' ->> 'priority')::boolean;
