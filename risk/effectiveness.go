package risk

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// The streams a declaration can be selected by. One declaration can be
// in several: the random stream's sample is kept whatever the others do.
const (
	StreamTargeted = "targeted"
	StreamModel    = "model"
	StreamRandom   = "random"
	StreamTopUp    = "top_up"
	// StreamAudit is the blue lane: released, then audited (稽查); its
	// check is the audit. Officers' own choices of releases to audit count
	// in it too.
	StreamAudit = "audit"
)

// Streams lists them in display order.
var Streams = []string{StreamTargeted, StreamModel, StreamRandom, StreamTopUp, StreamAudit}

// Counts are the effectiveness figures of a stream or a profile.
type Counts struct {
	Selections  int `json:"selections"`  // declarations it sent to a check
	Inspections int `json:"inspections"` // of those, checks with a recorded result
	Hits        int `json:"hits"`        // of those, checks that found something
	Seizures    int `json:"seizures"`
	// HitRate is Hits / Inspections (0 without inspections).
	HitRate float64 `json:"hit_rate"`
	// Revenue is the additional duty the checks assessed, CNY.
	Revenue              decimal.Decimal `json:"revenue"`
	RevenuePerInspection decimal.Decimal `json:"revenue_per_inspection"`
}

func (c *Counts) add(inspected, hit, seized bool, revenue decimal.Decimal) {
	c.Selections++
	if !inspected {
		return
	}
	c.Inspections++
	c.Revenue = c.Revenue.Add(revenue)
	if hit {
		c.Hits++
	}
	if seized {
		c.Seizures++
	}
}

func (c *Counts) finish() {
	if c.Inspections > 0 {
		c.HitRate = float64(c.Hits) / float64(c.Inspections)
		c.RevenuePerInspection = c.Revenue.Div(decimal.NewFromInt(int64(c.Inspections))).Round(2)
	}
}

// StreamStats are one stream's counts.
type StreamStats struct {
	Stream string `json:"stream"`
	Counts
}

// Point is one stream's counts in one time bucket starting at Start.
type Point struct {
	Start  time.Time `json:"start"`
	Stream string    `json:"stream"`
	Counts
}

// ProfileStats are one profile's counts over the period, and whether it
// is flagged for review: over the review window it had enough checks and
// hit less often than the random stream's estimate of non-compliance.
type ProfileStats struct {
	ProfileID string `json:"profile_id"`
	Title     string `json:"title"`
	Status    Status `json:"status,omitempty"` // of the current version
	Version   int    `json:"version,omitempty"`
	Matches   int    `json:"matches"` // declarations it matched, selected or not
	Counts
	ReviewInspections int     `json:"review_inspections"`
	ReviewHitRate     float64 `json:"review_hit_rate"`
	Flagged           bool    `json:"flagged"`
	reviewHits        int
}

// Compliance is the random stream's estimate of non-compliance for one
// HS chapter or office: each check weighted by the inverse of the chance
// the random stream had to pick it, so credit-scaled rates do not bias it.
type Compliance struct {
	Key       string  `json:"key"`
	Inspected int     `json:"inspected"` // items (chapters) or declarations (offices) checked
	Findings  int     `json:"findings"`
	Rate      float64 `json:"rate"`     // weighted estimate
	RawRate   float64 `json:"raw_rate"` // Findings / Inspected
	weight    float64
	found     float64
}

// Effectiveness is the feedback on targeting for a period.
type Effectiveness struct {
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	Bucket    string         `json:"bucket"` // 5m | hour | day
	Streams   []StreamStats  `json:"streams"`
	Series    []Point        `json:"series"`
	Profiles  []ProfileStats `json:"profiles"`
	ByChapter []Compliance   `json:"by_chapter"`
	ByOffice  []Compliance   `json:"by_office"`
	// NonCompliance is the random stream's estimate of the share of all
	// declarations a check would find something on: its checks weighted
	// by the inverse of their chance to be drawn, since credit grades
	// scale that chance (the raw random hit rate over-weights the
	// dishonest, who are drawn more often).
	NonCompliance float64 `json:"non_compliance"`
	// The review window and the random stream's estimate over it, which
	// profiles are compared with.
	ReviewFrom          time.Time `json:"review_from"`
	ReviewMin           int       `json:"review_min_inspections"`
	RandomReviewHitRate float64   `json:"random_review_hit_rate"`
}

// weighted accumulates an inverse-probability estimate.
type weighted struct{ w, found float64 }

func (x *weighted) add(f *Fact, found bool) {
	w := 1.0
	if f.RandomRate > 0 {
		w = 1 / f.RandomRate
	}
	x.w += w
	if found {
		x.found += w
	}
}

func (x weighted) rate() float64 {
	if x.w == 0 {
		return 0
	}
	return x.found / x.w
}

// streamsOf says which streams selected a declaration for a check.
func streamsOf(f *Fact) []string {
	var out []string
	for _, h := range f.Hits {
		if h.Selected && checked(h.Lane) {
			out = append(out, StreamTargeted)
			break
		}
	}
	if f.Model != "" {
		out = append(out, StreamModel)
	}
	if checked(f.RandomLane) {
		out = append(out, StreamRandom)
	}
	if f.TopUp {
		out = append(out, StreamTopUp)
	}
	if f.audited() {
		out = append(out, StreamAudit)
	}
	return out
}

// profileOutcome is what a declaration means for one profile: matched,
// selected, and whether the check found something where it looked (on
// the items it matched, anywhere for header profiles) and the duty there.
type profileOutcome struct {
	selected, hit bool
	revenue       decimal.Decimal
}

// outcomes judges the profiles that matched f by its check (profileCheck).
func outcomes(f *Fact, c check) map[string]*profileOutcome {
	out := map[string]*profileOutcome{}
	for _, h := range f.Hits {
		o := out[h.ProfileID]
		if o == nil {
			o = &profileOutcome{}
			out[h.ProfileID] = o
		}
		o.selected = o.selected || h.Selected
	}
	for id, o := range out {
		items := map[int]bool{}
		for _, h := range f.Hits {
			if h.ProfileID == id {
				items[h.Item] = true
			}
		}
		for _, x := range c.findings {
			if items[0] || items[x.GNo] {
				o.hit = true
				o.revenue = o.revenue.Add(x.AdditionalDuty)
			}
		}
	}
	return out
}

// Bucket sizes of the series.
const (
	Bucket5m   = 5 * time.Minute
	BucketHour = time.Hour
	BucketDay  = 24 * time.Hour
)

// Measure computes effectiveness over [from, to) in buckets of five
// minutes, an hour or a day (0: chosen from how long the facts of the
// period span), and flags profiles over the review window ending at to.
// The series starts at the first bucket with a decision. facts must cover
// both the period and the review window; profiles are the registry's
// current versions (titles, statuses).
func Measure(facts []Fact, from, to time.Time, bucket time.Duration, profiles []Profile, review ReviewSettings) Effectiveness {
	ev := Effectiveness{From: from, To: to, ReviewMin: review.MinInspections,
		ReviewFrom: to.AddDate(0, 0, -review.Days)}
	first := to
	for i := range facts {
		if at := facts[i].DecidedAt; !at.Before(from) && at.Before(first) {
			first = at
		}
	}
	if bucket <= 0 {
		switch span := to.Sub(first); {
		case span <= 6*time.Hour:
			bucket = Bucket5m
		case span <= 2*24*time.Hour:
			bucket = BucketHour
		default:
			bucket = BucketDay
		}
	}
	var start time.Time
	switch {
	case bucket < BucketHour:
		bucket, ev.Bucket, start = Bucket5m, "5m", first.Truncate(Bucket5m)
	case bucket < BucketDay:
		bucket, ev.Bucket, start = BucketHour, "hour", first.Truncate(time.Hour)
	default:
		bucket, ev.Bucket, start = BucketDay, "day", chinaDate(first)
	}
	streams := map[string]*Counts{}
	series := map[time.Time]map[string]*Counts{}
	byProfile := map[string]*ProfileStats{}
	stat := func(id string) *ProfileStats {
		p := byProfile[id]
		if p == nil {
			p = &ProfileStats{ProfileID: id}
			byProfile[id] = p
		}
		return p
	}
	for _, p := range profiles {
		s := stat(p.ID)
		if s.Version == 0 || p.Status == Active {
			s.Title, s.Status, s.Version = p.Title, p.Status, p.Version
		}
	}
	chapters, offices := map[string]*Compliance{}, map[string]*Compliance{}
	var randomReview, randomPeriod weighted
	for i := range facts {
		f := &facts[i]
		found := len(f.Findings) > 0
		inReview := !f.DecidedAt.Before(ev.ReviewFrom) && f.DecidedAt.Before(to)
		inPeriod := !f.DecidedAt.Before(from) && f.DecidedAt.Before(to)
		sts := streamsOf(f)
		if inReview && f.Inspected && slices.Contains(sts, StreamRandom) {
			randomReview.add(f, found)
		}
		pc := f.profileCheck()
		for id, o := range outcomes(f, pc) {
			s := stat(id)
			if inPeriod {
				s.Matches++
				if o.selected {
					s.Counts.add(pc.done, o.hit, pc.seized, o.revenue)
				}
			}
			if inReview && o.selected && pc.done {
				s.ReviewInspections++
				if o.hit {
					s.reviewHits++
				}
			}
		}
		if !inPeriod {
			continue
		}
		b := start.Add(f.DecidedAt.Sub(start).Truncate(bucket))
		if series[b] == nil {
			series[b] = map[string]*Counts{}
		}
		for _, st := range sts {
			for _, m := range []map[string]*Counts{streams, series[b]} {
				if m[st] == nil {
					m[st] = &Counts{}
				}
				c := f.checkFor(st)
				m[st].add(c.done, c.found(), c.seized, c.revenue)
			}
		}
		if slices.Contains(sts, StreamRandom) && f.Inspected {
			randomPeriod.add(f, found)
			w := 1.0
			if f.RandomRate > 0 {
				w = 1 / f.RandomRate
			}
			tally(offices, f.Office, w, found)
			for no, ch := range f.Chapters {
				tally(chapters, ch, w, f.found(no+1))
			}
		}
	}
	for _, st := range Streams {
		c := Counts{}
		if streams[st] != nil {
			c = *streams[st]
		}
		c.finish()
		ev.Streams = append(ev.Streams, StreamStats{Stream: st, Counts: c})
	}
	for b := start; b.Before(to) && len(ev.Series) < 3*1000; b = b.Add(bucket) {
		for _, st := range Streams {
			c := Counts{}
			if series[b][st] != nil {
				c = *series[b][st]
			}
			c.finish()
			ev.Series = append(ev.Series, Point{Start: b, Stream: st, Counts: c})
		}
	}
	ev.RandomReviewHitRate, ev.NonCompliance = randomReview.rate(), randomPeriod.rate()
	for _, s := range byProfile {
		s.Counts.finish()
		if s.ReviewInspections > 0 {
			s.ReviewHitRate = float64(s.reviewHits) / float64(s.ReviewInspections)
		}
		s.Flagged = s.ReviewInspections >= review.MinInspections && randomReview.w > 0 &&
			s.ReviewHitRate < ev.RandomReviewHitRate
		ev.Profiles = append(ev.Profiles, *s)
	}
	slices.SortFunc(ev.Profiles, func(a, b ProfileStats) int { return cmp.Compare(a.ProfileID, b.ProfileID) })
	ev.ByChapter, ev.ByOffice = sortedCompliance(chapters), sortedCompliance(offices)
	return ev
}

func tally(m map[string]*Compliance, key string, w float64, found bool) {
	c := m[key]
	if c == nil {
		c = &Compliance{Key: key}
		m[key] = c
	}
	c.Inspected++
	c.weight += w
	if found {
		c.Findings++
		c.found += w
	}
}

func sortedCompliance(m map[string]*Compliance) []Compliance {
	out := make([]Compliance, 0, len(m))
	for _, c := range m {
		c.Rate, c.RawRate = c.found/c.weight, float64(c.Findings)/float64(c.Inspected)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Compliance) int { return cmp.Compare(a.Key, b.Key) })
	return out
}
