package postgres

import (
	"testing"

	"github.com/jinguan-customs/jinguan/postgres/pgtest"
	"github.com/jinguan-customs/jinguan/storetest"
)

func TestEcommerceSuite(t *testing.T) {
	storetest.RunEcommerce(t, func(t *testing.T) storetest.EcommerceStores {
		db := open(t, pgtest.Schema(t))
		t.Cleanup(func() { db.Close() })
		return storetest.EcommerceStores{Store: db.Ecommerce(), Enterprises: db.Enterprises(), Guarantees: db.Guarantees()}
	})
}

// Two pools on one schema stand for two processes.
func TestEcommerceQuotaAcrossPools(t *testing.T) {
	dsn := pgtest.Schema(t)
	var stores [2]storetest.EcommerceStores
	for i := range stores {
		db := open(t, dsn)
		t.Cleanup(func() { db.Close() })
		stores[i] = storetest.EcommerceStores{Store: db.Ecommerce(), Enterprises: db.Enterprises(), Guarantees: db.Guarantees()}
	}
	storetest.QuotaRace(t, stores[0], stores[1])
	storetest.QuotaTakeTurns(t, stores[0], stores[1])
	storetest.DecidedElsewhere(t, stores[0], stores[1])
}
