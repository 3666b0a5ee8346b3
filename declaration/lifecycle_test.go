package declaration

import (
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
)

func TestTransitionTable(t *testing.T) {
	at := time.Now()
	legal := []struct {
		from Status
		a    Action
		lane Lane
		to   Status
	}{
		{StatusSubmitted, ActAssessRisk, LaneGreen, StatusRiskAssessed},
		{StatusAmended, ActAssessRisk, LaneGreen, StatusRiskAssessed},
		{StatusRiskAssessed, ActRoute, LaneYellow, StatusUnderReview},
		{StatusRiskAssessed, ActRoute, LaneRed, StatusUnderInspection},
		{StatusUnderInspection, ActRecordResult, LaneRed, StatusInspected},
		{StatusInspected, ActAssessTax, LaneRed, StatusAssessed},
		{StatusRiskAssessed, ActAssessTax, LaneGreen, StatusAssessed},
		{StatusAssessed, ActPay, LaneGreen, StatusPaid},
		{StatusAssessed, ActGuarantee, LaneGreen, StatusGuaranteed},
		{StatusGuaranteed, ActRelease, LaneGreen, StatusReleased},
		{StatusUnderReview, ActReroute, LaneRed, StatusUnderInspection},
		{StatusUnderInspection, ActReroute, LaneGreen, StatusRiskAssessed},
		{StatusAssessed, ActAmend, LaneGreen, StatusAmended},
		{StatusUnderInspection, ActReject, LaneRed, StatusRejected},
		{StatusSubmitted, ActWithdraw, LaneNone, StatusWithdrawn},
		{StatusReleased, ActRecordAudit, LaneBlue, StatusAudited},
		{StatusReleased, ActRecordAudit, LaneGreen, StatusAudited},
	}
	for _, c := range legal {
		d := &Declaration{ID: 7, Status: c.from, Lane: c.lane, Version: 3}
		ev, err := transition(d, c.a, Actor{"u", "officer"}, at, "why", map[string]int{"x": 1})
		if err != nil {
			t.Errorf("%s from %s: %v", c.a, c.from, err)
			continue
		}
		if d.Status != c.to || ev.From != c.from || ev.To != c.to || ev.Seq != 4 || d.Version != 4 ||
			ev.Actor != "u" || ev.Reason != "why" || string(ev.Data) != `{"x":1}` {
			t.Errorf("%s from %s: got status %s, event %+v", c.a, c.from, d.Status, ev)
		}
	}
	illegal := []struct {
		from Status
		a    Action
	}{
		{StatusReleased, ActRelease}, {StatusReleased, ActAmend}, {StatusSubmitted, ActRelease},
		{StatusUnderInspection, ActWithdraw}, {StatusUnderInspection, ActAmend}, {StatusPaid, ActReject},
		{StatusRejected, ActAssessRisk}, {StatusWithdrawn, ActWithdraw}, {StatusAssessed, ActRecordResult},
		{StatusRiskAssessed, ActPay}, {StatusAudited, ActRecordAudit}, {StatusPaid, ActRecordAudit},
		{StatusGuaranteed, ActRecordAudit}, {StatusInspected, ActRecordAudit}, {StatusAudited, ActAmend},
	}
	for _, c := range illegal {
		d := &Declaration{Status: c.from, Version: 2}
		_, err := transition(d, c.a, System, at, "", nil)
		if jinguan.ErrorCode(err) != jinguan.ETRANSITION || d.Status != c.from || d.Version != 2 {
			t.Errorf("%s from %s: err %v, status %s: want refused and unchanged", c.a, c.from, err, d.Status)
		}
	}
	for _, s := range Statuses {
		leaves := false
		for a := range transitions {
			leaves = leaves || Can(a, s)
		}
		if Terminal(s) == leaves {
			t.Errorf("%s: Terminal %v, but an action leaving it: %v", s, Terminal(s), leaves)
		}
	}
}

// The release records who let the goods go: the audit's separation of
// duties needs it.
func TestReleaseRecordsReleaser(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	d := &Declaration{Status: StatusPaid, Lane: LaneRed}
	if _, err := transition(d, ActRelease, Actor{"officer.li", "officer"}, at, "", nil); err != nil {
		t.Fatal(err)
	}
	if d.ReleasedBy != "officer.li" || !d.ReleasedAt.Equal(at) {
		t.Fatalf("released by %q at %v", d.ReleasedBy, d.ReleasedAt)
	}
	if _, err := transition(d, ActRecordAudit, Actor{"officer.wang", "officer"}, at.Add(time.Hour), "", nil); err != nil ||
		d.ReleasedBy != "officer.li" || d.Status != StatusAudited {
		t.Fatalf("audit: %v, released by %q, status %s", err, d.ReleasedBy, d.Status)
	}
}
