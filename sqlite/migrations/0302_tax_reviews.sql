-- Batch re-reviews (批量复审): each run with its rule, its differences and
-- the bills it raised, as the audit record of the officer's action.
CREATE TABLE tax_reviews (
	id      TEXT PRIMARY KEY,
	at      INTEGER NOT NULL,
	by_user TEXT NOT NULL,
	applied INTEGER NOT NULL,
	bills   INTEGER NOT NULL,
	doc     TEXT NOT NULL
) STRICT;
CREATE INDEX tax_reviews_at ON tax_reviews (at);
