package postgres

import (
	"testing"

	"github.com/jinguan-customs/jinguan/postgres/pgtest"
	"github.com/jinguan-customs/jinguan/storetest"
)

func TestCreditStore(t *testing.T) {
	storetest.RunCredit(t, func(t *testing.T) storetest.CreditStores {
		db := open(t, pgtest.Schema(t))
		t.Cleanup(func() { db.Close() })
		return storetest.CreditStores{Enterprises: db.Enterprises(), Credit: db.Credit(), Declarations: db.Declarations()}
	})
}
