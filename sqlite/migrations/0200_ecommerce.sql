-- Cross-border e-commerce: orders, payments and waybills by key; lists
-- with their summary; the receipt log (pushed by webhooks); buyers'
-- annual totals; guarantors' monthly tax periods; registrations.
-- Few secondary indexes: the list key, status and receipts by list.
CREATE TABLE cbec_docs (
	k    TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	at   INTEGER NOT NULL,
	doc  BLOB NOT NULL
) STRICT;

CREATE TABLE cbec_lists (
	id           INTEGER PRIMARY KEY,
	list_key     TEXT NOT NULL UNIQUE,
	status       INTEGER NOT NULL,
	lane         TEXT NOT NULL,
	buyer_id     TEXT NOT NULL,
	ebp_code     TEXT NOT NULL,
	order_no     TEXT NOT NULL,
	logistics_no TEXT NOT NULL,
	assure_code  TEXT NOT NULL,
	trade_mode   TEXT NOT NULL,
	customs_code TEXT NOT NULL,
	value_fen    INTEGER NOT NULL,
	tax_fen      INTEGER NOT NULL,
	period       TEXT NOT NULL,
	declared_at  INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	deadline     INTEGER NOT NULL,
	doc          BLOB NOT NULL
) STRICT;
CREATE INDEX cbec_lists_status ON cbec_lists (status, id);

CREATE TABLE cbec_receipts (
	seq     INTEGER PRIMARY KEY,
	list_id INTEGER NOT NULL,
	body    BLOB NOT NULL
) STRICT;
CREATE INDEX cbec_receipts_list ON cbec_receipts (list_id);

CREATE TABLE cbec_quota (
	buyer_id TEXT NOT NULL,
	year     INTEGER NOT NULL,
	used_fen INTEGER NOT NULL,
	PRIMARY KEY (buyer_id, year)
) STRICT, WITHOUT ROWID;

CREATE TABLE cbec_tax_periods (
	assure_code TEXT NOT NULL,
	period      TEXT NOT NULL,
	bills       INTEGER NOT NULL,
	tax_fen     INTEGER NOT NULL,
	paid_at     INTEGER,
	PRIMARY KEY (assure_code, period)
) STRICT, WITHOUT ROWID;

CREATE TABLE cbec_registrations (
	code    TEXT PRIMARY KEY,
	scc     TEXT NOT NULL,
	name_zh TEXT NOT NULL,
	roles   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE cbec_cursors (
	name TEXT PRIMARY KEY,
	seq  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
