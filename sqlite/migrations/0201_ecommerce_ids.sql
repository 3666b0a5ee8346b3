-- PostgreSQL's 0201 gives cbec_lists.id an identity; in SQLite an INTEGER
-- PRIMARY KEY already takes the next rowid when NULL is inserted.
SELECT 1;
