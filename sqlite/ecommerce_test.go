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
