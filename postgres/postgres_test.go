package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/storetest"
)

// freshSchema creates an empty schema, dropped when t ends, and returns dsn
// with its search_path pointing there, so tests run in parallel and again.
func freshSchema(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("JINGUAN_TEST_PG")
	if dsn == "" {
		t.Skip("JINGUAN_TEST_PG not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	admin := func(sql string) {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), sql); err != nil {
			t.Fatal(err)
		}
	}
	admin(`CREATE SCHEMA ` + schema)
	t.Cleanup(func() { admin(`DROP SCHEMA ` + schema + ` CASCADE`) })
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

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
		db := open(t, freshSchema(t))
		t.Cleanup(func() { db.Close() })
		return storetest.Stores{Declarations: db.Declarations(), Users: db.Users(), Enterprises: db.Enterprises()}
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	dsn := freshSchema(t)
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
