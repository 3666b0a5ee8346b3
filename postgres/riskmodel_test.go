package postgres

import (
	"testing"

	"github.com/jinguan-customs/jinguan/postgres/pgtest"
	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/storetest"
)

func TestRiskModelStore(t *testing.T) {
	storetest.RunRiskModels(t, func(t *testing.T) risk.ModelStore {
		db := open(t, pgtest.Schema(t))
		t.Cleanup(func() { db.Close() })
		return db.RiskModels()
	})
}
