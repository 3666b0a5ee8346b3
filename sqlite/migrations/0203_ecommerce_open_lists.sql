-- Lists by status, without the released ones: most lists are released, so
-- they are the cheapest to find by scanning ids backwards, and an index
-- entry for each would cost every release a B-tree write. Queries that
-- use the index say "status <> 800" (SQLite uses a partial index only
-- when the query's WHERE contains its condition).
DROP INDEX cbec_lists_status;
CREATE INDEX cbec_lists_open ON cbec_lists (status, id) WHERE status <> 800;
