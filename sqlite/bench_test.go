package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/storetest"
)

const benchBatch = 100

// BenchmarkWriteBatch is the service's write path: 5-item declarations with
// their submit event, one savepoint each, 100 to a commit.
func BenchmarkWriteBatch(b *testing.B) {
	db := open(b, filepath.Join(b.TempDir(), "bench.db"))
	defer db.Close()
	store := db.Declarations()
	tmpl := storetest.Decl(1)
	ops := make([]declaration.Op, benchBatch)
	n := 0
	for b.Loop() {
		for j := range ops {
			d := *tmpl
			d.ClientKey = fmt.Sprint("bench-", n)
			n++
			ops[j] = func(ctx context.Context, tx declaration.Tx) error {
				if err := tx.Insert(ctx, &d); err != nil {
					return err
				}
				return tx.AppendEvents(ctx, storetest.Event(&d))
			}
		}
		for _, err := range store.WriteBatch(context.Background(), ops) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "decl/s")
}

// BenchmarkRawInsert writes the same rows with plain prepared INSERTs, 100
// declarations to a transaction, without JSON documents or savepoints: the
// floor the store's overhead is measured against.
func BenchmarkRawInsert(b *testing.B) {
	ctx := context.Background()
	db := open(b, filepath.Join(b.TempDir(), "bench.db"))
	defer db.Close()
	d := storetest.Decl(1)
	c, err := rowColumns(d)
	if err != nil {
		b.Fatal(err)
	}
	ev := storetest.Event(d)
	var id int64
	for b.Loop() {
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		ins, items, evs := tx.Stmt(db.stmts[stInsert]), tx.Stmt(db.stmts[stInsertItem]), tx.Stmt(db.stmts[stInsertEvent])
		for range benchBatch {
			id++
			d.ID = id
			declaration.AssignNumbers(d)
			if _, err := ins.Exec(id, d.EntryID, d.SeqNo, d.Head.AgentCodeScc, fmt.Sprint("bench-", id),
				micros(d.DeclaredAt), c.bodyHash, c.status, c.lane, c.ieFlag, c.customMaster, c.tradeCo,
				c.tradeName, c.owner, c.tradeMode, c.itemCount, c.taxTotal, c.updatedAt, c.version, "{}"); err != nil {
				b.Fatal(err)
			}
			for _, it := range d.Items {
				if _, err := items.Exec(id, it.GNo, it.CodeTS); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := evs.Exec(id, ev.Seq, string(ev.Action), string(ev.From), string(ev.To), ev.Actor,
				ev.Role, micros(ev.At), ev.Reason, string(ev.Data)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "decl/s")
}
