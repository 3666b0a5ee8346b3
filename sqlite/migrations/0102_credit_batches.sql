-- Keys of event batches stored once (the monthly activity roll-up).
CREATE TABLE credit_batches (
	key TEXT    PRIMARY KEY,
	at  INTEGER NOT NULL
) STRICT;
