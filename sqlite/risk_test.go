package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/jinguan-customs/jinguan/storetest"
)

func TestRiskStore(t *testing.T) {
	storetest.RunRisk(t, func(t *testing.T) storetest.RiskStores {
		db := open(t, filepath.Join(t.TempDir(), "jinguan.db"))
		t.Cleanup(func() { db.Close() })
		return storetest.RiskStores{Declarations: db.Declarations(), Risk: db.Risk()}
	})
}
