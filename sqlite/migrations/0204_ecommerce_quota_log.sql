-- Buyers' annual totals as batches change them, in order: a batch appends
-- here instead of rewriting each buyer's row of cbec_quota, which with many
-- buyers meant about one page of that table per list in every commit. The
-- writer folds the log into cbec_quota (the latest total of each buyer)
-- when it has grown and whenever another connection has written. No index:
-- the writer caches every buyer the log holds, and a reader scans it.
CREATE TABLE cbec_quota_log (
	seq      INTEGER PRIMARY KEY,
	buyer_id TEXT NOT NULL,
	year     INTEGER NOT NULL,
	used_fen INTEGER NOT NULL
) STRICT;
