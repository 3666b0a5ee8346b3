-- Ids come from this sequence in blocks of 100 (see idBlock in batch.go):
-- one nextval per hundred inserts, and never a value twice.
CREATE SEQUENCE declaration_ids INCREMENT BY 100;

-- doc holds the whole declaration; the other columns are what lists and
-- filters read, so a list never decodes documents.
CREATE TABLE declarations (
	id            bigint      PRIMARY KEY,
	entry_id      text        NOT NULL UNIQUE,
	seq_no        text        NOT NULL UNIQUE,
	agent_scc     text        NOT NULL,
	client_key    text        NOT NULL,
	body_hash     text        NOT NULL,
	status        text        NOT NULL,
	lane          text        NOT NULL,
	ie_flag       text        NOT NULL,
	custom_master text        NOT NULL,
	trade_co_scc  text        NOT NULL,
	trade_name    text        NOT NULL,
	owner_scc     text        NOT NULL,
	trade_mode    text        NOT NULL,
	item_count    integer     NOT NULL,
	tax_total     numeric,
	declared_at   timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL,
	version       integer     NOT NULL,
	doc           jsonb       NOT NULL,
	UNIQUE (agent_scc, client_key)
);

-- Only what List and Pending filter on; with id so that newest-first and
-- oldest-first pages read in index order.
CREATE INDEX declarations_status ON declarations (status, id);
CREATE INDEX declarations_trade_co ON declarations (trade_co_scc, id);
CREATE INDEX declarations_custom_master ON declarations (custom_master, id);
CREATE INDEX declarations_declared_at ON declarations (declared_at);

CREATE TABLE declaration_items (
	declaration_id bigint  NOT NULL REFERENCES declarations (id) ON DELETE CASCADE,
	g_no           integer NOT NULL,
	code_ts        text    COLLATE "C" NOT NULL, -- byte order: prefix ranges use the index
	PRIMARY KEY (declaration_id, g_no)
);
CREATE INDEX declaration_items_code_ts ON declaration_items (code_ts);

-- data is json, not jsonb: events are an audit record and keep their bytes.
CREATE TABLE declaration_events (
	declaration_id bigint      NOT NULL REFERENCES declarations (id) ON DELETE CASCADE,
	seq            integer     NOT NULL,
	action         text        NOT NULL,
	from_status    text        NOT NULL,
	to_status      text        NOT NULL,
	actor          text        NOT NULL,
	role           text        NOT NULL,
	at             timestamptz NOT NULL,
	reason         text        NOT NULL,
	data           json,
	PRIMARY KEY (declaration_id, seq)
);

CREATE TABLE users (
	name       text        PRIMARY KEY,
	role       text        NOT NULL,
	enterprise text        NOT NULL,
	office     text        NOT NULL,
	token_hash text        NOT NULL UNIQUE,
	created_at timestamptz NOT NULL
);

CREATE TABLE enterprises (
	scc           text        PRIMARY KEY,
	name_zh       text        NOT NULL,
	name_en       text        NOT NULL,
	roles         text[],
	customs       text        NOT NULL,
	guarantee     boolean     NOT NULL,
	registered_at timestamptz NOT NULL
);
