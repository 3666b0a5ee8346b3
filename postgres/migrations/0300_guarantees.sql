-- Guarantee accounts (税款担保) with a balance (the registry's yes/no
-- general-guarantee flag says only that one is lodged): a debit per secured tax
-- bill or e-commerce list, restored when the tax is paid. Days are Beijing
-- dates YYYY-MM-DD.
CREATE TABLE guarantee_accounts (
	id           text        PRIMARY KEY,
	scc          text        NOT NULL,
	kind         text        NOT NULL,
	consolidated boolean     NOT NULL,
	amount       numeric     NOT NULL,
	balance      numeric     NOT NULL,
	valid_from   text        NOT NULL,
	valid_to     text        NOT NULL, -- '' = open
	updated_at   timestamptz NOT NULL
);
CREATE INDEX guarantee_accounts_scc ON guarantee_accounts (scc);

CREATE TABLE guarantee_debits (
	ref         text        PRIMARY KEY,
	account     text        NOT NULL REFERENCES guarantee_accounts (id),
	amount      numeric     NOT NULL,
	debited_at  timestamptz NOT NULL,
	restored_at timestamptz -- NULL while outstanding
);
CREATE INDEX guarantee_debits_account ON guarantee_debits (account, debited_at);

CREATE TABLE guarantee_events (
	account text        NOT NULL REFERENCES guarantee_accounts (id),
	seq     integer     NOT NULL,
	action  text        NOT NULL,
	actor   text        NOT NULL,
	role    text        NOT NULL,
	at      timestamptz NOT NULL,
	reason  text        NOT NULL,
	data    jsonb       NOT NULL,
	PRIMARY KEY (account, seq)
);
