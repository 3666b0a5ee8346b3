-- Guarantee accounts (税款担保) with a balance (the registry's yes/no
-- general-guarantee flag says only that one is lodged): a debit per secured tax
-- bill or e-commerce list, restored when the tax is paid. Amounts are
-- decimal text; times UTC unix microseconds; days Beijing YYYY-MM-DD.
CREATE TABLE guarantee_accounts (
	id           TEXT    PRIMARY KEY,
	scc          TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	consolidated INTEGER NOT NULL,
	amount       TEXT    NOT NULL,
	balance      TEXT    NOT NULL,
	valid_from   TEXT    NOT NULL,
	valid_to     TEXT    NOT NULL, -- '' = open
	updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX guarantee_accounts_scc ON guarantee_accounts (scc);

CREATE TABLE guarantee_debits (
	ref         TEXT    PRIMARY KEY,
	account     TEXT    NOT NULL REFERENCES guarantee_accounts (id),
	amount      TEXT    NOT NULL,
	debited_at  INTEGER NOT NULL,
	restored_at INTEGER -- NULL while outstanding
) STRICT;
CREATE INDEX guarantee_debits_account ON guarantee_debits (account, debited_at);

CREATE TABLE guarantee_events (
	account TEXT    NOT NULL REFERENCES guarantee_accounts (id),
	seq     INTEGER NOT NULL,
	action  TEXT    NOT NULL,
	actor   TEXT    NOT NULL,
	role    TEXT    NOT NULL,
	at      INTEGER NOT NULL,
	reason  TEXT    NOT NULL,
	data    TEXT    NOT NULL,
	PRIMARY KEY (account, seq)
) STRICT, WITHOUT ROWID;
