-- Batch re-reviews (批量复审): each run with its rule, its differences and
-- the bills it raised, as the audit record of the officer's action.
CREATE TABLE tax_reviews (
	id      text PRIMARY KEY,
	at      timestamptz NOT NULL,
	by_user text NOT NULL,
	applied boolean NOT NULL,
	bills   integer NOT NULL,
	doc     jsonb NOT NULL
);
CREATE INDEX tax_reviews_at ON tax_reviews (at);
