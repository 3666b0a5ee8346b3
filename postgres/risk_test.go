package postgres

import (
	"testing"

	"github.com/jinguan-customs/jinguan/postgres/pgtest"
	"github.com/jinguan-customs/jinguan/storetest"
)

func TestRiskStore(t *testing.T) {
	storetest.RunRisk(t, func(t *testing.T) storetest.RiskStores {
		db := open(t, pgtest.Schema(t))
		t.Cleanup(func() { db.Close() })
		return storetest.RiskStores{Declarations: db.Declarations(), Risk: db.Risk()}
	})
}
