package app

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
)

// An officer sees and acts on the declarations of the offices his own
// covers: a subordinate office itself, a directly-affiliated customs its
// district; others are 404 and absent from lists.
func TestOfficerSeesOwnOfficeArea(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		for name, office := range map[string]string{"officer.pudong": "2201", "officer.shanghai": "2200", "officer.beijing": "0100"} {
			err := e.a.Users.PutUser(context.Background(), auth.User{Name: name, Role: auth.RoleOfficer, Office: office,
				TokenHash: auth.HashToken("tok-" + name), CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
		}
		ids := map[string]float64{}
		for i, office := range []string{"2201", "2202"} {
			f, u := e.form(office, "I") // both go to inspection
			_, d := e.submit(f, u, fmt.Sprint("area-", i))
			ids[office] = d["id"].(float64)
			e.settle(ids[office])
		}
		get := func(who string, id float64) int {
			code, _ := e.do("GET", fmt.Sprintf("/api/v1/declarations/%.0f", id), "tok-"+who, nil)
			return code
		}
		listed := func(who string) map[float64]bool {
			_, l := e.do("GET", "/api/v1/declarations", "tok-"+who, nil)
			out := map[float64]bool{}
			for _, it := range l["items"].([]any) {
				out[it.(map[string]any)["id"].(float64)] = true
			}
			return out
		}
		if get("officer.pudong", ids["2201"]) != http.StatusOK || get("officer.pudong", ids["2202"]) != http.StatusNotFound {
			t.Errorf("officer at 2201: got %d / %d for 2201 / 2202", get("officer.pudong", ids["2201"]), get("officer.pudong", ids["2202"]))
		}
		if l := listed("officer.pudong"); !l[ids["2201"]] || l[ids["2202"]] {
			t.Errorf("officer at 2201 lists %v", l)
		}
		if l := listed("officer.shanghai"); !l[ids["2201"]] || !l[ids["2202"]] {
			t.Errorf("officer at 2200 lists %v, want both", l)
		}
		if l := listed("officer.beijing"); len(l) != 0 || get("officer.beijing", ids["2201"]) != http.StatusNotFound {
			t.Errorf("officer at 0100 lists %v", l)
		}
		// Tax bills follow the declarations: a green import at 2200 is
		// billed; Shanghai's officers see the bill, Beijing's do not.
		f, u := e.form("2200", "I")
		_, d := e.submit(f, u, "area-bill")
		e.settle(d["id"].(float64))
		_, bills := e.do("GET", fmt.Sprintf("/api/v1/declarations/%.0f/tax-bills", d["id"]), e.users["admin"].Token, nil)
		items, _ := bills["items"].([]any)
		if len(items) == 0 {
			t.Fatalf("no bill for the green import: %v", bills)
		}
		no := items[0].(map[string]any)["no"].(string)
		if code, _ := e.do("GET", "/api/v1/tax-bills/"+no, "tok-officer.shanghai", nil); code != http.StatusOK {
			t.Errorf("officer at 2200 reading the bill: %d", code)
		}
		if code, _ := e.do("GET", "/api/v1/tax-bills/"+no, "tok-officer.beijing", nil); code != http.StatusNotFound {
			t.Errorf("officer at 0100 reading a 2200 bill: %d", code)
		}
		for who, want := range map[string]bool{"officer.shanghai": true, "officer.beijing": false} {
			_, l := e.do("GET", "/api/v1/tax-bills", "tok-"+who, nil)
			seen := false
			for _, it := range l["items"].([]any) {
				seen = seen || it.(map[string]any)["no"] == no
			}
			if seen != want {
				t.Errorf("%s lists the 2200 bill: %v", who, seen)
			}
		}
		// Acting outside the area is refused like a missing declaration.
		code, _ := e.do("POST", fmt.Sprintf("/api/v1/declarations/%.0f/inspection-result", ids["2202"]), "tok-officer.pudong",
			map[string]any{"outcome": "no_finding"})
		if code != http.StatusNotFound {
			t.Errorf("officer at 2201 recording a result at 2202: %d", code)
		}
	})
}

func TestOfficeArea(t *testing.T) {
	for office, want := range map[string]string{"0000": "", "2200": "22", "2201": "2201", "0100": "01"} {
		if got := declaration.OfficeArea(office); got != want {
			t.Errorf("OfficeArea(%s) = %q, want %q", office, got, want)
		}
	}
	if a := declaration.OfficeArea(""); a == "" {
		t.Error("an officer without an office covers every office")
	}
}
