package credit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/uscc"
)

// Synthetic makes a national-scale population for the benchmark: n
// enterprises with valid credit codes and about three years of events up
// to today, shaped like the figures in domain.md (≈0.6 % advanced-
// certified, a few per cent with penalties, ≈1 % with unpaid sums, about
// half declaring in a given year). The same seed gives the same data.
func Synthetic(n int, seed uint64, today Date, subject func(Subject), event func(*Event)) {
	r := rand.New(rand.NewPCG(seed, 5))
	var id int64
	emit := func(e *Event) {
		id++
		e.ID = id
		event(e)
	}
	regions := []string{"110105", "120116", "310115", "320594", "330206", "350206", "370212", "440106", "440300", "500112"}
	poisson := func(mean float64) int {
		l, k, p := math.Exp(-mean), 0, 1.0
		for {
			p *= r.Float64()
			if p <= l {
				return k
			}
			k++
		}
	}
	past := func(maxDays int) Date { return today - Date(1+r.IntN(maxDays)) }
	money := func(median float64) decimal.Decimal {
		v := median * math.Exp(r.NormFloat64())
		return decimal.New(int64(v*100), -2)
	}
	yes, no := true, false
	for i := 0; i < n; i++ {
		// Codes ascend with i, as the registry is read at start-up (by code).
		scc := uscc.Complete(fmt.Sprintf("91%s%09d", regions[i*len(regions)/n], i)[:17])
		s := Subject{SCC: scc, Registered: today - Date(30+r.IntN(30*365)), Broker: r.IntN(10) == 0}
		switch k := r.IntN(10000); {
		case k < 63:
			s.CertLevel, s.CertFrom = "advanced", past(5*365)
		case k < 160:
			s.CertLevel, s.CertFrom = "general", past(5*365)
		}
		subject(s)
		ev := func(k Kind, on Date) *Event { return &Event{SCC: scc, Kind: k, On: on, Source: "synthetic"} }
		active := r.IntN(100) < 45 || s.CertLevel != ""
		if active {
			// months with declarations over the last two years
			months := 1 + r.IntN(24)
			volume := math.Exp(2 + 2*r.Float64()*r.Float64()*3)
			first := Date(addMonths(int32(today), -months))
			for m := 0; m < months; m++ {
				on := Date(addMonths(int32(first), m))
				y, mo, _ := civil(int32(on))
				on = Date(daysFromCivil(y, mo, 1))
				if on > today || r.IntN(3) == 0 {
					continue
				}
				d := int(volume * (0.5 + r.Float64()))
				e := ev(KindActivity, on)
				e.Counts = &Counts{Declarations: d, Lists: d / 10, Manifests: d / 20, Inspections: d * (2 + r.IntN(6)) / 100}
				emit(e)
			}
			for k := poisson(1.5); k > 0; k-- {
				emit(ev(KindCorrection, past(3*365)))
			}
			for k := poisson(0.4); k > 0; k-- {
				emit(ev(KindRejection, past(3*365)))
			}
			if r.IntN(10) == 0 {
				emit(ev(KindInspectionFinding, past(3*365)))
			}
		}
		if r.IntN(100) < 5 {
			for k := 1 + r.IntN(3); k > 0; k-- {
				e := ev(KindPenalty, past(3*365))
				e.Amount = money(80000)
				e.Intentional = &no
				if r.IntN(10) < 7 {
					e.Intentional = &yes
				}
				emit(e)
			}
		}
		if r.IntN(1000) < 2 {
			e := ev(KindSmuggling, past(3*365))
			e.Amount, e.Criminal = money(500000), r.IntN(6) == 0
			emit(e)
		}
		for _, k := range []Kind{KindUnpaidTax, KindUnpaidFine} {
			if r.IntN(1000) >= 10 {
				continue
			}
			e := ev(k, past(2*365))
			e.DueOn, e.Amount = e.On-Date(r.IntN(30)), money(30000)
			emit(e)
			if r.IntN(10) < 6 {
				if paid := e.On + Date(r.IntN(200)); paid <= today {
					emit(&Event{SCC: scc, Kind: KindSettlement, On: paid, Source: "synthetic", RefersTo: e.ID})
				}
			}
		}
		if r.IntN(100) < 3 {
			emit(ev(KindLateReport, past(3*365)))
		}
		if r.IntN(1000) < 2 {
			e := ev(KindBlacklist, past(3*365))
			e.Department = "国家发展和改革委员会"
			emit(e)
			if r.IntN(2) == 0 {
				if off := e.On + Date(30+r.IntN(400)); off <= today {
					emit(&Event{SCC: scc, Kind: KindDelisting, On: off, Source: "synthetic", RefersTo: e.ID})
				}
			}
		}
	}
}
