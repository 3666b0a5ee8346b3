package risk

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

const table = `office,direction,valid_from,valid_to,red,yellow,blue
*,*,2020-01-01,,0.1,0.2,0.05
*,I,2020-01-01,,0.2,0.1,0
2200,*,2020-01-01,,0.3,0,0
2200,I,2020-01-01,2026-01-01,0.5,0,0
2200,I,2026-01-01,,0.4,0.1,0
`

func sel(t *testing.T) *Selectivity {
	rules, err := LoadRules(strings.NewReader(table), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSelectivity(rules, []byte("key"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decl(id int64, office, dir string, day string) *declaration.Declaration {
	at, _ := time.ParseInLocation("2006-01-02", day, jinguan.China)
	return &declaration.Declaration{ID: id, DeclaredAt: at.Add(10 * time.Hour),
		Form: declaration.Form{Head: declaration.Head{CustomMaster: office, IEFlag: dir}}}
}

func TestMostSpecificRuleOnTheDate(t *testing.T) {
	s := sel(t)
	cases := []struct {
		office, dir, day, want string
	}{
		{"5300", "E", "2026-06-01", "office=* direction=*"},
		{"5300", "I", "2026-06-01", "office=* direction=I"},
		{"2200", "E", "2026-06-01", "office=2200 direction=*"},
		{"2200", "I", "2025-06-01", "office=2200 direction=I from=2020-01-01"},
		{"2200", "I", "2026-06-01", "office=2200 direction=I from=2026-01-01"},
	}
	for _, c := range cases {
		rd, err := s.Assess(context.Background(), decl(1, c.office, c.dir, c.day), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rd.RuleSet, c.want) {
			t.Errorf("%s %s %s: rule %q, want %q", c.office, c.dir, c.day, rd.RuleSet, c.want)
		}
		if rd.Stream != "random" || rd.ReasonZH == "" || rd.ReasonEN == "" || rd.Rates[declaration.LaneRed] == "" {
			t.Errorf("decision lacks its explanation: %+v", rd)
		}
	}
}

// TestLaneShares: over many declarations each lane's share is close to its
// configured rate, and the draw alone explains the lane.
func TestLaneShares(t *testing.T) {
	s := sel(t)
	const n = 20000
	count := map[declaration.Lane]int{}
	for id := int64(1); id <= n; id++ {
		rd, err := s.Assess(context.Background(), decl(id, "2200", "I", "2026-06-01"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		count[rd.Lane]++
		want := declaration.LaneGreen
		switch {
		case rd.Draw < 0.4:
			want = declaration.LaneRed
		case rd.Draw < 0.5:
			want = declaration.LaneYellow
		}
		if rd.Lane != want {
			t.Fatalf("draw %.4f gave %s, want %s", rd.Draw, rd.Lane, want)
		}
	}
	for lane, rate := range map[declaration.Lane]float64{declaration.LaneRed: 0.4, declaration.LaneYellow: 0.1,
		declaration.LaneGreen: 0.5, declaration.LaneBlue: 0} {
		got := float64(count[lane]) / n
		if math.Abs(got-rate) > 0.015 {
			t.Errorf("%s share %.3f, configured %.3f", lane, got, rate)
		}
	}
}

func TestDrawIsKeyedAndStable(t *testing.T) {
	a, _ := NewSelectivity(nil, []byte("one"))
	b, _ := NewSelectivity(nil, []byte("two"))
	if a.Draw(42) != a.Draw(42) {
		t.Fatal("draw not reproducible")
	}
	if a.Draw(42) == b.Draw(42) {
		t.Fatal("draw does not depend on the key")
	}
	for id := int64(0); id < 1000; id++ {
		if u := a.Draw(id); u < 0 || u >= 1 {
			t.Fatalf("draw %v out of [0,1)", u)
		}
	}
}

func TestRuleErrors(t *testing.T) {
	for _, bad := range []string{
		"office,direction\n*,*\n",
		"office,direction,valid_from,valid_to,red,yellow,blue\n*,*,2020-13-01,,0.1,0,0\n",
		"office,direction,valid_from,valid_to,red,yellow,blue\n*,*,2020-01-01,,x,0,0\n",
	} {
		if _, err := LoadRules(strings.NewReader(bad), "bad.csv"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	if _, err := NewSelectivity([]Rule{{Office: "*", Direction: "*", Red: 0.7, Yellow: 0.4}}, nil); err == nil {
		t.Error("rates summing over 1 accepted")
	}
	s, _ := NewSelectivity([]Rule{{Office: "2200", Direction: "I"}}, nil)
	if _, err := s.Assess(context.Background(), decl(1, "5300", "E", "2026-01-01"), time.Now()); err == nil {
		t.Error("no applicable rule but no error")
	}
	if _, err := DefaultRules(""); err != nil {
		t.Errorf("embedded table: %v", err)
	}
}
