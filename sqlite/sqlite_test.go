package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/storetest"
)

func open(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		db := open(t, filepath.Join(t.TempDir(), "jinguan.db"))
		t.Cleanup(func() { db.Close() })
		return storetest.Stores{Declarations: db.Declarations(), Users: db.Users(), Enterprises: db.Enterprises(),
			Guarantees: db.Guarantees(), Bills: db.Bills()}
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "jinguan.db")
	db := open(t, path)
	if len(db.applied) == 0 {
		t.Fatal("no migrations applied to a new file")
	}
	d := storetest.Decl(1)
	errs := db.Declarations().WriteBatch(ctx, []declaration.Op{func(ctx context.Context, tx declaration.Tx) error {
		return tx.Insert(ctx, d)
	}})
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	failed := rolledBack(t, db.Declarations())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = open(t, path)
	defer db.Close()
	if len(db.applied) != 0 {
		t.Errorf("re-applied %v", db.applied)
	}
	if _, err := db.Declarations().Get(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		t.Errorf("schema_migrations: %d rows, %v", n, err)
	}
	// Ids continue after the restart.
	e := storetest.Decl(2)
	db.Declarations().WriteBatch(ctx, []declaration.Op{func(ctx context.Context, tx declaration.Tx) error {
		return tx.Insert(ctx, e)
	}})
	if e.ID <= failed || failed <= d.ID {
		t.Errorf("id %d after restart; committed %d, rolled back %d", e.ID, d.ID, failed)
	}
}

// The durability settings are what the package promises.
func TestPragmas(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "jinguan.db"))
	defer db.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"} {
		var got string
		if err := db.w.QueryRow(`PRAGMA ` + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q, want %q (%v)", pragma, got, want, err)
		}
	}
	if _, err := db.r.Exec(`DELETE FROM users`); err == nil {
		t.Error("the read pool accepts writes")
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
