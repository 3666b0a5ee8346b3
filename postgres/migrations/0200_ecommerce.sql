-- Cross-border e-commerce: orders, payments and waybills by key; lists
-- with their summary; the receipt log (pushed by webhooks); buyers'
-- annual totals; guarantors' monthly tax periods; registrations.
-- Few secondary indexes: the list key, status and receipts by list.
CREATE TABLE cbec_docs (
	k    TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	at   BIGINT NOT NULL,
	doc  BYTEA NOT NULL
);

CREATE TABLE cbec_lists (
	id           BIGINT PRIMARY KEY,
	list_key     TEXT NOT NULL UNIQUE,
	status       BIGINT NOT NULL,
	lane         TEXT NOT NULL,
	buyer_id     TEXT NOT NULL,
	ebp_code     TEXT NOT NULL,
	order_no     TEXT NOT NULL,
	logistics_no TEXT NOT NULL,
	assure_code  TEXT NOT NULL,
	trade_mode   TEXT NOT NULL,
	customs_code TEXT NOT NULL,
	value_fen    BIGINT NOT NULL,
	tax_fen      BIGINT NOT NULL,
	period       TEXT NOT NULL,
	declared_at  BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	deadline     BIGINT NOT NULL,
	doc          BYTEA NOT NULL
);
CREATE INDEX cbec_lists_status ON cbec_lists (status, id);

CREATE TABLE cbec_receipts (
	seq     BIGSERIAL PRIMARY KEY,
	list_id BIGINT NOT NULL,
	body    BYTEA NOT NULL
);
CREATE INDEX cbec_receipts_list ON cbec_receipts (list_id);

CREATE TABLE cbec_quota (
	buyer_id TEXT NOT NULL,
	year     BIGINT NOT NULL,
	used_fen BIGINT NOT NULL,
	PRIMARY KEY (buyer_id, year)
);

CREATE TABLE cbec_tax_periods (
	assure_code TEXT NOT NULL,
	period      TEXT NOT NULL,
	bills       BIGINT NOT NULL,
	tax_fen     BIGINT NOT NULL,
	paid_at     BIGINT,
	PRIMARY KEY (assure_code, period)
);

CREATE TABLE cbec_registrations (
	code    TEXT PRIMARY KEY,
	scc     TEXT NOT NULL,
	name_zh TEXT NOT NULL,
	roles   TEXT NOT NULL
);

CREATE TABLE cbec_cursors (
	name TEXT PRIMARY KEY,
	seq  BIGINT NOT NULL
);
