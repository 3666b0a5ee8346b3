package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/jinguan-customs/jinguan/sqlite"
	"github.com/jinguan-customs/jinguan/storetest"
)

func TestEcommerceSuite(t *testing.T) {
	storetest.RunEcommerce(t, func(t *testing.T) storetest.EcommerceStores {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return storetest.EcommerceStores{Store: db.Ecommerce(), Enterprises: db.Enterprises(), Guarantees: db.Guarantees()}
	})
}

// Two handles on one file stand for two processes: SQLite's file lock and
// the conditional update keep the buyer's quota.
func TestEcommerceQuotaAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	var stores [2]storetest.EcommerceStores
	for i := range stores {
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		stores[i] = storetest.EcommerceStores{Store: db.Ecommerce(), Enterprises: db.Enterprises(), Guarantees: db.Guarantees()}
	}
	storetest.QuotaRace(t, stores[0], stores[1])
	storetest.QuotaTakeTurns(t, stores[0], stores[1])
	storetest.DecidedElsewhere(t, stores[0], stores[1])
}

// A second handle folds the log the first one wrote: every buyer's total
// is the latest of their rows.
func TestEcommerceQuotaLogFoldedByAnotherHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	stores := func() storetest.EcommerceStores {
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return storetest.EcommerceStores{Store: db.Ecommerce(), Enterprises: db.Enterprises(), Guarantees: db.Guarantees()}
	}
	storetest.QuotaTotals(t, stores(), stores)
}
