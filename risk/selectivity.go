// Package risk decides the lane of every declaration. This first stage is
// ASYCUDA-style selectivity: a random stream per declaring customs and
// direction with configured lane rates. Profiles and the model build on it.
package risk

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

//go:embed data/selectivity.csv
var defaultSelectivity string

// Rule is one row of the selectivity table.
type Rule struct {
	Office, Direction  string // "*" matches any
	ValidFrom, ValidTo time.Time
	Red, Yellow, Blue  float64
}

// Selectivity draws lanes at random with the rates of the most specific
// rule. The draw is a keyed hash of the declaration id: reproducible for an
// audit, unpredictable without the key, and the same after an amendment so
// amending cannot re-roll the lane.
type Selectivity struct {
	rules []Rule
	key   []byte
}

// NewSelectivity checks the rules; key is the secret that seeds draws.
func NewSelectivity(rules []Rule, key []byte) (*Selectivity, error) {
	for i, r := range rules {
		if r.Red < 0 || r.Yellow < 0 || r.Blue < 0 || r.Red+r.Yellow+r.Blue > 1 {
			return nil, fmt.Errorf("selectivity rule %d (%s %s): rates must be ≥ 0 and sum to ≤ 1", i+1, r.Office, r.Direction)
		}
	}
	return &Selectivity{rules: rules, key: key}, nil
}

// LoadRules reads the selectivity CSV (see data/selectivity.csv).
func LoadRules(r io.Reader, name string) ([]Rule, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "office,direction,valid_from,valid_to,red,yellow,blue" {
		return nil, fmt.Errorf("%s: header must be office,direction,valid_from,valid_to,red,yellow,blue", name)
	}
	var out []Rule
	for i, row := range rows[1:] {
		r := Rule{Office: row[0], Direction: row[1]}
		var errs []string
		parseDate := func(s string) time.Time {
			if s == "" {
				return time.Time{}
			}
			t, err := time.ParseInLocation("2006-01-02", s, jinguan.China)
			if err != nil {
				errs = append(errs, "date "+s)
			}
			return t
		}
		parseRate := func(s string) float64 {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				errs = append(errs, "rate "+s)
			}
			return f
		}
		r.ValidFrom, r.ValidTo = parseDate(row[2]), parseDate(row[3])
		r.Red, r.Yellow, r.Blue = parseRate(row[4]), parseRate(row[5]), parseRate(row[6])
		if len(errs) > 0 {
			return nil, fmt.Errorf("%s: row %d: bad %s", name, i+2, strings.Join(errs, ", "))
		}
		out = append(out, r)
	}
	return out, nil
}

// DefaultRules returns the embedded table, or dir/selectivity.csv when the
// data folder has one.
func DefaultRules(dir string) ([]Rule, error) {
	if dir != "" {
		path := filepath.Join(dir, "selectivity.csv")
		if f, err := os.Open(path); err == nil {
			defer f.Close()
			return LoadRules(f, path)
		}
	}
	return LoadRules(strings.NewReader(defaultSelectivity), "selectivity.csv")
}

// rule picks the most specific rule valid on the date: exact office beats
// "*", and within that exact direction beats "*".
func (s *Selectivity) rule(office, dir string, on time.Time) (Rule, bool) {
	best, score := Rule{}, -1
	for _, r := range s.rules {
		if (r.Office != "*" && r.Office != office) || (r.Direction != "*" && r.Direction != dir) {
			continue
		}
		if on.Before(r.ValidFrom) || (!r.ValidTo.IsZero() && !on.Before(r.ValidTo)) {
			continue
		}
		sc := 0
		if r.Office != "*" {
			sc += 2
		}
		if r.Direction != "*" {
			sc++
		}
		if sc > score {
			best, score = r, sc
		}
	}
	return best, score >= 0
}

// Draw is the declaration's uniform number in [0,1).
func (s *Selectivity) Draw(id int64) float64 {
	h := sha256.New()
	h.Write(s.key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	h.Write(b[:])
	sum := h.Sum(nil)
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}

// Assess implements declaration.RiskStage for a regular trader.
func (s *Selectivity) Assess(_ context.Context, d *declaration.Declaration, at time.Time) (declaration.RiskDecision, error) {
	return s.Decide(d, at, GradeRegular, CreditMeasure{Multiplier: 1})
}

// Decide draws the random lane with the rule's rates scaled by the
// trader's credit measure; the decision records the rates used.
func (s *Selectivity) Decide(d *declaration.Declaration, at time.Time, grade string, m CreditMeasure) (declaration.RiskDecision, error) {
	office, dir := d.Head.CustomMaster, d.Head.IEFlag
	r, ok := s.rule(office, dir, d.DeclDate())
	if !ok {
		return declaration.RiskDecision{}, jinguan.Errorf(jinguan.EINTERNAL,
			"关区 %s 方向 %s 无适用的布控比例", "no selectivity rule for office %s direction %s", office, dir)
	}
	red, yellow, blue := scaled(r, m)
	u := s.Draw(d.ID)
	lane := declaration.LaneGreen
	switch {
	case u < red:
		lane = declaration.LaneRed
	case u < red+yellow:
		lane = declaration.LaneYellow
	case u < red+yellow+blue:
		lane = declaration.LaneBlue
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	rd := declaration.RiskDecision{
		Lane: lane, Stream: "random", Draw: u, Office: office, Direction: dir, RandomLane: lane,
		Rates:     map[declaration.Lane]string{declaration.LaneRed: f(red), declaration.LaneYellow: f(yellow), declaration.LaneBlue: f(blue)},
		RuleSet:   fmt.Sprintf("selectivity office=%s direction=%s from=%s", r.Office, r.Direction, r.ValidFrom.Format("2006-01-02")),
		DecidedAt: at, DecidedBy: "system", Grade: grade, Multiplier: m.Multiplier,
		DocumentReviewShare: m.reviewShare(), Priority: m.Priority,
	}
	rd.ReasonZH, rd.ReasonEN = reason(lane, u, red, yellow, blue)
	if share := m.reviewShare(); m.Multiplier != 1 || m.Floor > 0 || share != 1 || m.Priority {
		rd.RuleSet += fmt.Sprintf(" grade=%s multiplier=%s document_review=%s floor=%s priority=%t",
			grade, f(m.Multiplier), f(share), f(m.Floor), m.Priority)
		zh, en := "", ""
		if m.Priority {
			zh, en = "；优先办理", "; priority handling"
		}
		rd.ReasonZH += fmt.Sprintf("（信用等级 %s：查验、稽查比例 ×%s，审单比例 ×%s，查验不低于 %s%%%s）",
			gradeZH[grade], f(m.Multiplier), f(share), f(round9(m.Floor*100)), zh)
		rd.ReasonEN += fmt.Sprintf(" (credit grade %s: inspection and audit rates ×%s, document review ×%s, inspection at least %s%%%s)",
			grade, f(m.Multiplier), f(share), f(round9(m.Floor*100)), en)
	}
	return rd, nil
}

var gradeZH = map[string]string{GradeAdvancedCertified: "高级认证", GradeCertified: "认证", GradeRegular: "常规",
	GradeDishonest: "失信", GradeSeriouslyDishonest: "严重失信"}

func reason(l declaration.Lane, u, red, yellow, blue float64) (zh, en string) {
	pct := func(x float64) string { return strconv.FormatFloat(round9(x*100), 'f', -1, 64) + "%" }
	zh = fmt.Sprintf("随机抽取：抽签值 %.4f，布控比例 查验 %s、审单 %s、稽查 %s，结果：%s",
		u, pct(red), pct(yellow), pct(blue), laneZH[l])
	en = fmt.Sprintf("random selection: draw %.4f against rates red %s, yellow %s, blue %s → %s",
		u, pct(red), pct(yellow), pct(blue), l)
	return zh, en
}
