-- Tax bills (税单). doc holds the whole bill as JSON; the columns are what
-- lists, statements and the re-review read.
CREATE TABLE tax_bills (
	no             TEXT    PRIMARY KEY,
	kind           TEXT    NOT NULL,
	original       TEXT    NOT NULL,
	declaration_id INTEGER NOT NULL,
	entry_id       TEXT    NOT NULL,
	trade_co_scc   TEXT    NOT NULL,
	agent_scc      TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	amount         TEXT    NOT NULL,
	issued_at      INTEGER NOT NULL,
	due_date       TEXT    NOT NULL,
	guarantee      TEXT    NOT NULL,
	period         TEXT    NOT NULL,
	review         TEXT    NOT NULL,
	version        INTEGER NOT NULL,
	doc            TEXT    NOT NULL
) STRICT;
CREATE INDEX tax_bills_declaration ON tax_bills (declaration_id);
CREATE INDEX tax_bills_issued ON tax_bills (issued_at, no);
CREATE INDEX tax_bills_trade_co ON tax_bills (trade_co_scc, issued_at);
CREATE INDEX tax_bills_agent ON tax_bills (agent_scc, issued_at);
CREATE INDEX tax_bills_guarantee ON tax_bills (guarantee, period) WHERE guarantee <> '';
CREATE INDEX tax_bills_open ON tax_bills (status, due_date) WHERE status IN ('unpaid', 'guaranteed', 'refund_due');

CREATE TABLE tax_bill_events (
	bill_no TEXT    NOT NULL REFERENCES tax_bills (no),
	seq     INTEGER NOT NULL,
	action  TEXT    NOT NULL,
	actor   TEXT    NOT NULL,
	role    TEXT    NOT NULL,
	at      INTEGER NOT NULL,
	reason  TEXT    NOT NULL,
	data    TEXT,
	PRIMARY KEY (bill_no, seq)
) STRICT, WITHOUT ROWID;
