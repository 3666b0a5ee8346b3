-- The guarantee debits taken for e-commerce lists, by guarantor and tax
-- period: the period's consolidated payment gives them back.
CREATE TABLE cbec_guarantee_refs (
	assure_code TEXT NOT NULL,
	period      TEXT NOT NULL,
	ref         TEXT NOT NULL,
	amount_fen  BIGINT NOT NULL,
	PRIMARY KEY (assure_code, period, ref)
);
