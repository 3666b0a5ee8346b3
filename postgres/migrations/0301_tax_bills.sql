-- Tax bills (税单). doc holds the whole bill; the columns are what lists,
-- statements and the re-review read.
CREATE TABLE tax_bills (
	no             text        PRIMARY KEY,
	kind           text        NOT NULL,
	original       text        NOT NULL,
	declaration_id bigint      NOT NULL,
	entry_id       text        NOT NULL,
	trade_co_scc   text        NOT NULL,
	agent_scc      text        NOT NULL,
	status         text        NOT NULL,
	amount         numeric     NOT NULL,
	issued_at      timestamptz NOT NULL,
	due_date       text        NOT NULL,
	guarantee      text        NOT NULL,
	period         text        NOT NULL,
	review         text        NOT NULL,
	version        integer     NOT NULL,
	doc            jsonb       NOT NULL
);
CREATE INDEX tax_bills_declaration ON tax_bills (declaration_id);
CREATE INDEX tax_bills_issued ON tax_bills (issued_at, no);
CREATE INDEX tax_bills_trade_co ON tax_bills (trade_co_scc, issued_at);
CREATE INDEX tax_bills_agent ON tax_bills (agent_scc, issued_at);
CREATE INDEX tax_bills_guarantee ON tax_bills (guarantee, period) WHERE guarantee <> '';
CREATE INDEX tax_bills_open ON tax_bills (status, due_date) WHERE status IN ('unpaid', 'guaranteed', 'refund_due');

CREATE TABLE tax_bill_events (
	bill_no text        NOT NULL REFERENCES tax_bills (no),
	seq     integer     NOT NULL,
	action  text        NOT NULL,
	actor   text        NOT NULL,
	role    text        NOT NULL,
	at      timestamptz NOT NULL,
	reason  text        NOT NULL,
	data    jsonb,
	PRIMARY KEY (bill_no, seq)
);
