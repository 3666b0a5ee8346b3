package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/postgres/pgtest"
	"github.com/jinguan-customs/jinguan/storetest"
)

func open(t testing.TB, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		db := open(t, pgtest.Schema(t))
		t.Cleanup(func() { db.Close() })
		return storetest.Stores{Declarations: db.Declarations(), Users: db.Users(), Enterprises: db.Enterprises(),
			Guarantees: db.Guarantees(), Bills: db.Bills()}
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	db := open(t, dsn)
	if len(db.applied) == 0 {
		t.Fatal("no migrations applied to a new schema")
	}
	insert := func(db *DB, d *declaration.Declaration) {
		errs := db.Declarations().WriteBatch(ctx, []declaration.Op{func(ctx context.Context, tx declaration.Tx) error {
			return tx.Insert(ctx, d)
		}})
		if errs[0] != nil {
			t.Fatal(errs[0])
		}
	}
	d := storetest.Decl(1)
	insert(db, d)
	failed := rolledBack(t, db.Declarations())
	db.Close()

	db = open(t, dsn)
	defer db.Close()
	if len(db.applied) != 0 {
		t.Errorf("re-applied %v", db.applied)
	}
	if _, err := db.Declarations().Get(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	e := storetest.Decl(2)
	insert(db, e)
	if e.ID <= failed || failed <= d.ID {
		t.Errorf("id %d after restart; committed %d, rolled back %d", e.ID, d.ID, failed)
	}
}

// rolledBack inserts a declaration in an op that then fails, and returns
// the id it was given: it must not be given again, not even after a restart.
func rolledBack(t *testing.T, s declaration.Store) int64 {
	d := storetest.Decl(3)
	errs := s.WriteBatch(context.Background(), []declaration.Op{func(ctx context.Context, tx declaration.Tx) error {
		if err := tx.Insert(ctx, d); err != nil {
			return err
		}
		return errors.New("rolled back")
	}})
	if errs[0] == nil || d.ID == 0 {
		t.Fatalf("op: %v, id %d", errs[0], d.ID)
	}
	return d.ID
}
