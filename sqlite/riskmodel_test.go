package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/jinguan-customs/jinguan/risk"
	"github.com/jinguan-customs/jinguan/storetest"
)

func TestRiskModelStore(t *testing.T) {
	storetest.RunRiskModels(t, func(t *testing.T) risk.ModelStore {
		db := open(t, filepath.Join(t.TempDir(), "jinguan.db"))
		t.Cleanup(func() { db.Close() })
		return db.RiskModels()
	})
}
