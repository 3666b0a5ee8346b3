-- A declarant sees declarations where its enterprise is trader, owner or
-- agent; with every one of the three indexed the OR needs no table scan.
CREATE INDEX declarations_owner ON declarations (owner_scc);
