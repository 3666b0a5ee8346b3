-- Keys of event batches stored once (the monthly activity roll-up).
CREATE TABLE credit_batches (
	key text        PRIMARY KEY,
	at  timestamptz NOT NULL
);
