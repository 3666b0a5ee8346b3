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
		{StatusRiskAssessed, ActPay},
	}
	for _, c := range illegal {
		d := &Declaration{Status: c.from, Version: 2}
		_, err := transition(d, c.a, System, at, "", nil)
		if jinguan.ErrorCode(err) != jinguan.ETRANSITION || d.Status != c.from || d.Version != 2 {
			t.Errorf("%s from %s: err %v, status %s: want refused and unchanged", c.a, c.from, err, d.Status)
		}
	}
	for _, s := range []Status{StatusReleased, StatusRejected, StatusWithdrawn} {
		for a := range transitions {
			if Can(a, s) {
				t.Errorf("terminal %s allows %s", s, a)
			}
		}
	}
}
