-- Enterprise registry: status, address, personal data and AEO standing.
ALTER TABLE enterprises
	ADD COLUMN status       text        NOT NULL DEFAULT 'active',
	ADD COLUMN address      text        NOT NULL DEFAULT '',
	ADD COLUMN legal_rep    jsonb,
	ADD COLUMN contacts     jsonb,
	ADD COLUMN aeo          jsonb,
	ADD COLUMN aeo_partners jsonb,
	ADD COLUMN updated_at   timestamptz NOT NULL DEFAULT 'epoch',
	ADD COLUMN updated_by   text        NOT NULL DEFAULT '';
CREATE INDEX enterprises_customs ON enterprises (customs, scc COLLATE "C");

-- Credit events are append-only; amounts in CNY.
CREATE TABLE credit_events (
	id           bigserial PRIMARY KEY,
	scc          text      NOT NULL,
	kind         text      NOT NULL,
	on_day       date      NOT NULL,
	source       text      NOT NULL,
	reference    text      NOT NULL,
	amount       numeric   NOT NULL,
	intentional  boolean,
	criminal     boolean   NOT NULL,
	due_day      date,
	until_day    date,
	department   text      NOT NULL,
	refers_to    bigint    NOT NULL,
	supersedes   bigint    NOT NULL,
	declarations integer,
	lists        integer,
	manifests    integer,
	inspections  integer,
	note         text      NOT NULL,
	recorded_at  timestamptz NOT NULL,
	recorded_by  text      NOT NULL
);
CREATE INDEX credit_events_scc ON credit_events (scc, id);

CREATE TABLE credit_results (
	scc    text    PRIMARY KEY,
	grade  text    NOT NULL,
	score  integer NOT NULL,
	on_day date    NOT NULL
);

CREATE TABLE credit_grade_changes (
	id         bigserial   PRIMARY KEY,
	scc        text        NOT NULL,
	from_grade text        NOT NULL,
	to_grade   text        NOT NULL,
	on_day     date        NOT NULL,
	at         timestamptz NOT NULL,
	cause      text        NOT NULL,
	by_user    text        NOT NULL,
	score      integer     NOT NULL,
	grounds    jsonb       NOT NULL
);
CREATE INDEX credit_grade_changes_scc ON credit_grade_changes (scc, id);

CREATE TABLE credit_repairs (
	id         bigserial   PRIMARY KEY,
	scc        text        NOT NULL,
	status     text        NOT NULL,
	applied_at timestamptz NOT NULL,
	doc        jsonb       NOT NULL
);
CREATE INDEX credit_repairs_status ON credit_repairs (status, id);
CREATE INDEX credit_repairs_scc ON credit_repairs (scc, id);

CREATE TABLE credit_certifications (
	id         bigserial   PRIMARY KEY,
	scc        text        NOT NULL,
	decided_at timestamptz NOT NULL,
	doc        jsonb       NOT NULL
);
CREATE INDEX credit_certifications_scc ON credit_certifications (scc, id);
