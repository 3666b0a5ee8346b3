package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/jinguan-customs/jinguan/sqlite"
	"github.com/jinguan-customs/jinguan/storetest"
)

// ecommerceStores opens a handle on the database at path, closed when
// the test ends.
func ecommerceStores(t *testing.T, path string) storetest.EcommerceStores {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return storetest.EcommerceStores{Store: db.Ecommerce(), Enterprises: db.Enterprises(), Guarantees: db.Guarantees()}
}

func TestEcommerceSuite(t *testing.T) {
	storetest.RunEcommerce(t, func(t *testing.T) storetest.EcommerceStores {
		return ecommerceStores(t, filepath.Join(t.TempDir(), "test.db"))
	})
}

// Two handles on one file stand for two processes: SQLite's file lock and
// the conditional update keep the buyer's quota.
func TestEcommerceQuotaAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	a, b := ecommerceStores(t, path), ecommerceStores(t, path)
	storetest.QuotaRace(t, a, b)
	storetest.QuotaTakeTurns(t, a, b)
	storetest.DecidedElsewhere(t, a, b)
}

// A second handle folds the log the first one wrote: every buyer's total
// is the latest of their rows.
func TestEcommerceQuotaLogFoldedByAnotherHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	storetest.QuotaTotals(t, ecommerceStores(t, path), func() storetest.EcommerceStores { return ecommerceStores(t, path) })
}
