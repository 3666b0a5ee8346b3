package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jinguan-customs/jinguan/ecommerce"
)

// Lists by a status other than released are found through the partial
// index of lists not released; released ones by scanning ids backwards.
func TestListsByStatusPlan(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "jinguan.db"))
	defer db.Close()
	plan := func(where string, args ...any) string {
		rows, err := db.r.Query(`EXPLAIN QUERY PLAN SELECT `+listCols+` FROM cbec_lists `+where, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			out = append(out, detail)
		}
		return strings.Join(out, "; ")
	}
	if p := plan(waitingWhere); !strings.Contains(p, "cbec_lists_open") {
		t.Errorf("waiting lists: %s", p)
	}
	for _, st := range [][]ecommerce.Status{{ecommerce.StatusInspection}, {ecommerce.StatusManualReview, ecommerce.StatusRejected}} {
		where, args := listsWhere(ecommerce.Filter{Status: st, Before: 1000})
		if p := plan(where, args...); !strings.Contains(p, "cbec_lists_open") {
			t.Errorf("lists %v: %s", st, p)
		}
	}
	where, args := listsWhere(ecommerce.Filter{Status: []ecommerce.Status{ecommerce.StatusReleased}})
	if p := plan(where, args...); strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("released lists sorted: %s", p)
	}
}
