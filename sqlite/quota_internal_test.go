package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/jinguan-customs/jinguan/storetest"
)

// The store suite again with the quota log folded before every batch, and
// two handles (processes) taking turns, each folding what the other logged.
func TestQuotaLogFoldedEachBatch(t *testing.T) {
	defer func(n int) { quotaFoldRows = n }(quotaFoldRows)
	quotaFoldRows = 1
	stores := func(t *testing.T, path string) storetest.EcommerceStores {
		db := open(t, path)
		t.Cleanup(func() { db.Close() })
		return storetest.EcommerceStores{Store: db.Ecommerce(), Enterprises: db.Enterprises(), Guarantees: db.Guarantees()}
	}
	storetest.RunEcommerce(t, func(t *testing.T) storetest.EcommerceStores {
		return stores(t, filepath.Join(t.TempDir(), "test.db"))
	})
	path := filepath.Join(t.TempDir(), "test.db")
	a, b := stores(t, path), stores(t, path)
	storetest.QuotaRace(t, a, b)
	storetest.QuotaTakeTurns(t, a, b)
}
