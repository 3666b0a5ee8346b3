package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/uscc"
)

// CreditStores is one freshly opened, empty database's registry and
// credit store.
type CreditStores struct {
	Enterprises  enterprise.Store
	Credit       credit.Store
	Declarations declaration.Store
}

// RunCredit runs the credit suite.
func RunCredit(t *testing.T, open func(t *testing.T) CreditStores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s CreditStores)
	}{
		{"EnterpriseRecord", testEnterpriseRecord},
		{"FindEnterprises", testFindEnterprises},
		{"Events", testCreditEvents},
		{"Results", testCreditResults},
		{"GradeChanges", testGradeChanges},
		{"Repairs", testRepairs},
		{"Certify", testCertify},
		{"Clearance", testClearance},
		{"Volumes", testVolumes},
		{"RegistryChanges", testRegistryChanges},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var creditDay = time.Date(2026, 3, 2, 0, 0, 0, 0, jinguan.China)

// fullEnterprise has every field set.
func fullEnterprise() enterprise.Enterprise {
	to := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
	return enterprise.Enterprise{SCC: Traders[0], NameZH: "上海新锐电子贸易有限公司", NameEN: "Shanghai Xinrui Electronics Trading Co., Ltd.",
		Roles: []string{"consignee", "consignor"}, Customs: "2201", RegisteredAt: time.Date(2019, 3, 31, 16, 0, 0, 0, time.UTC),
		Status: enterprise.StatusSuspended, Address: "上海市浦东新区张江路 100 号",
		LegalRep: &enterprise.Person{Name: "张伟", IDType: "resident_id", IDNumber: "11010519491231002X", Phone: "+86 21 5555 1234"},
		Contacts: []enterprise.Contact{{Name: "李娜", Duty: "关务负责人", Phone: "13800000000", Email: "li.na@example.cn"}},
		AEO: &enterprise.AEOCertificate{Number: "AEOCN2201000123", Level: "advanced", ValidFrom: time.Date(2023, 12, 31, 16, 0, 0, 0, time.UTC),
			ValidTo: &to, Decision: "沪关认〔2024〕12号"},
		AEOPartners: []enterprise.AEOPartner{{Country: "SG", Code: "SGAEO-001234", Name: "Lion Logistics"}, {Country: "KR", Code: "KR0001"}},
		UpdatedAt:   time.Date(2026, 3, 1, 2, 3, 4, 5000, time.UTC), UpdatedBy: "credit.chen"}
}

func testEnterpriseRecord(t *testing.T, s CreditStores) {
	ctx := context.Background()
	e := fullEnterprise()
	if err := s.Enterprises.PutEnterprise(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.Enterprises.Enterprise(ctx, e.SCC)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Errorf("enterprise\n got %+v\nwant %+v", got, e)
	}
	// Clearing the nested records clears them.
	e.LegalRep, e.Contacts, e.AEO, e.AEOPartners = nil, nil, nil, nil
	if err := s.Enterprises.PutEnterprise(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Enterprises.Enterprise(ctx, e.SCC)
	if got.LegalRep != nil || got.Contacts != nil || got.AEO != nil || got.AEOPartners != nil {
		t.Errorf("cleared record %+v", got)
	}
}

// manyEnterprises registers n enterprises in districts 2201, 2244 and
// 5301, every third one a broker, and returns their codes in order.
func manyEnterprises(t *testing.T, s enterprise.Store, n int) []string {
	ctx := context.Background()
	var out []string
	for i := 0; i < n; i++ {
		e := enterprise.Enterprise{SCC: uscc.Complete(fmt.Sprintf("91310115MA%07d", i)), NameZH: fmt.Sprintf("测试企业%03d有限公司", i),
			NameEN: fmt.Sprintf("Test Enterprise %03d Co., Ltd.", i), Roles: []string{"consignee"},
			Customs: []string{"2201", "2244", "5301"}[i%3], RegisteredAt: creditDay.AddDate(-i, 0, 0), Status: enterprise.StatusActive}
		if i%3 == 0 {
			e.Roles = []string{"broker"}
		}
		if i == 4 {
			e.Status = enterprise.StatusDeregistered
		}
		if err := s.PutEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e.SCC)
	}
	return out
}

func testFindEnterprises(t *testing.T, s CreditStores) {
	ctx := context.Background()
	codes := manyEnterprises(t, s.Enterprises, 12)
	find := func(f enterprise.Filter) ([]string, bool) {
		t.Helper()
		es, more, err := s.Enterprises.FindEnterprises(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.SCC)
		}
		return out, more
	}
	want := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, codes[i])
		}
		return out
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	got, _ := find(enterprise.Filter{Area: "22"})
	check("area 22", got, want(0, 1, 3, 4, 6, 7, 9, 10))
	got, _ = find(enterprise.Filter{Area: "2244"})
	check("office 2244", got, want(1, 4, 7, 10))
	got, _ = find(enterprise.Filter{Role: "broker", Area: "22"})
	check("brokers", got, want(0, 3, 6, 9))
	got, _ = find(enterprise.Filter{Status: enterprise.StatusDeregistered})
	check("status", got, want(4))
	got, _ = find(enterprise.Filter{Query: "企业007"})
	check("name", got, want(7))
	got, _ = find(enterprise.Filter{Query: "enterprise 011"})
	check("english name, any case", got, want(11))
	got, _ = find(enterprise.Filter{Query: codes[5][12:18]})
	check("code", got, want(5))
	got, _ = find(enterprise.Filter{SCCs: []string{codes[8], codes[2], "nobody"}})
	check("codes", got, want(2, 8))
	got, _ = find(enterprise.Filter{Query: "100%_"})
	check("wildcards are literal", got, nil)
	// paging
	page, more := find(enterprise.Filter{Limit: 5})
	check("page 1", page, want(0, 1, 2, 3, 4))
	if !more {
		t.Error("page 1: no more")
	}
	page, more = find(enterprise.Filter{Limit: 5, After: codes[9]})
	check("last page", page, want(10, 11))
	if more {
		t.Error("last page: more")
	}
}

func boolp(b bool) *bool { return &b }

func testCreditEvents(t *testing.T, s CreditStores) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 30, 0, 123000, time.UTC)
	on := credit.DateOf(creditDay)
	es := []credit.Event{
		{SCC: Traders[0], Kind: credit.KindPenalty, On: on - 30, Source: "penalty system", Reference: "沪关缉违字〔2026〕1号",
			Amount: decimal.RequireFromString("123456.78"), Intentional: boolp(false), Note: "申报不实"},
		{SCC: Traders[0], Kind: credit.KindUnpaidTax, On: on - 20, Source: "tax", Amount: decimal.RequireFromString("500"), DueOn: on - 40},
		{SCC: Traders[1], Kind: credit.KindActivity, On: on - 1, Source: "stats", Amount: decimal.Zero,
			Counts: &credit.Counts{Declarations: 120, Lists: 3, Manifests: 0, Inspections: 7}},
		{SCC: Traders[0], Kind: credit.KindBlacklist, On: on - 10, Source: "joint", Department: "国家税务总局", Until: on + 300, Amount: decimal.Zero},
		{SCC: Traders[0], Kind: credit.KindSmuggling, On: on - 5, Source: "anti-smuggling", Criminal: true, Amount: decimal.Zero},
	}
	for i := range es {
		es[i].RecordedAt, es[i].RecordedBy = at, "credit.chen"
	}
	stored, err := s.Credit.AppendEvents(ctx, es[:3])
	if err != nil {
		t.Fatal(err)
	}
	stored2, err := s.Credit.AppendEvents(ctx, es[3:])
	if err != nil {
		t.Fatal(err)
	}
	stored = append(stored, stored2...)
	for i := 1; i < len(stored); i++ {
		if stored[i].ID <= stored[i-1].ID {
			t.Fatalf("ids not increasing: %d after %d", stored[i].ID, stored[i-1].ID)
		}
	}
	// A settlement refers to a stored id.
	settle := credit.Event{SCC: Traders[0], Kind: credit.KindSettlement, On: on, Source: "tax", RefersTo: stored[1].ID,
		Amount: decimal.RequireFromString("500"), RecordedAt: at, RecordedBy: "credit.chen"}
	more, err := s.Credit.AppendEvents(ctx, []credit.Event{settle})
	if err != nil {
		t.Fatal(err)
	}
	stored = append(stored, more...)
	sameEvent := func(got, want credit.Event) {
		t.Helper()
		if !got.Amount.Equal(want.Amount) || !got.RecordedAt.Equal(want.RecordedAt) || got.RecordedAt.Location() != time.UTC {
			t.Errorf("event %d: amount %s at %v, want %s at %v", want.ID, got.Amount, got.RecordedAt, want.Amount, want.RecordedAt)
		}
		got.Amount, got.RecordedAt = want.Amount, want.RecordedAt
		if !reflect.DeepEqual(got, want) {
			t.Errorf("event\n got %+v\nwant %+v", got, want)
		}
	}
	mine, err := s.Credit.Events(ctx, Traders[0])
	if err != nil || len(mine) != 5 {
		t.Fatalf("events of %s: %d, %v", Traders[0], len(mine), err)
	}
	want := []credit.Event{stored[0], stored[1], stored[3], stored[4], stored[5]}
	for i := range mine {
		sameEvent(mine[i], want[i])
	}
	if none, err := s.Credit.Events(ctx, Traders[2]); err != nil || len(none) != 0 || none == nil {
		t.Errorf("no events: %v %v", none, err)
	}
	var all []credit.Event
	if err := s.Credit.ScanEvents(ctx, 0, func(e *credit.Event) error {
		all = append(all, *e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(all) != len(stored) {
		t.Fatalf("scanned %d events, want %d", len(all), len(stored))
	}
	for i := range all {
		sameEvent(all[i], stored[i])
	}
	stop := errors.New("stop")
	if err := s.Credit.ScanEvents(ctx, 0, func(*credit.Event) error { return stop }); err != stop {
		t.Errorf("scan error %v", err)
	}
	var later []int64
	s.Credit.ScanEvents(ctx, stored[3].ID, func(e *credit.Event) error {
		later = append(later, e.ID)
		return nil
	})
	if !reflect.DeepEqual(later, []int64{stored[4].ID, stored[5].ID}) {
		t.Errorf("events after %d: %v", stored[3].ID, later)
	}
}

func testCreditResults(t *testing.T, s CreditStores) {
	ctx := context.Background()
	codes := manyEnterprises(t, s.Enterprises, 3)
	var rs []credit.Result
	for i := 0; i < 4500; i++ { // more than one statement's worth
		rs = append(rs, credit.Result{SCC: fmt.Sprintf("X%017d", i), Grade: credit.Grade(i % 5), Score: 100 - i%70, On: 20000})
	}
	if err := s.Credit.PutResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	rs[7].Grade, rs[7].Score, rs[7].On = credit.GradeDishonest, 12, 20001
	if err := s.Credit.PutResults(ctx, rs[7:8]); err != nil {
		t.Fatal(err)
	}
	got := map[string]credit.Result{}
	if err := s.Credit.ScanResults(ctx, func(r credit.Result) error {
		got[r.SCC] = r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rs) {
		t.Fatalf("%d results, want %d", len(got), len(rs))
	}
	for _, r := range rs {
		if got[r.SCC] != r {
			t.Fatalf("result %+v, want %+v", got[r.SCC], r)
		}
	}
	var subjects []credit.Subject
	if err := s.Credit.ScanSubjects(ctx, time.Time{}, func(sj credit.Subject) error {
		subjects = append(subjects, sj)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(subjects) != 3 || subjects[0].SCC != codes[0] || !subjects[0].Broker || subjects[1].Broker ||
		subjects[1].Registered != credit.DateOf(creditDay.AddDate(-1, 0, 0)) {
		t.Errorf("subjects %+v", subjects)
	}
	// Only those updated since a time.
	e, _ := s.Enterprises.Enterprise(ctx, codes[1])
	e.UpdatedAt = creditDay
	if err := s.Enterprises.PutEnterprise(ctx, e); err != nil {
		t.Fatal(err)
	}
	subjects = nil
	s.Credit.ScanSubjects(ctx, creditDay.Add(-time.Minute), func(sj credit.Subject) error {
		subjects = append(subjects, sj)
		return nil
	})
	if len(subjects) != 1 || subjects[0].SCC != codes[1] {
		t.Errorf("subjects updated since: %+v", subjects)
	}
}

func testGradeChanges(t *testing.T, s CreditStores) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	cs := []credit.GradeChange{
		{SCC: Traders[0], From: credit.GradeRegular, To: credit.GradeDishonest, On: 20500, At: at, Cause: credit.CauseDailyRun, By: "system",
			Score: 61, Grounds: []credit.Ground{{Rule: credit.RuleUnpaidTax, Event: 3, From: 20400, To: 21130, Grade: credit.GradeDishonest,
				Active: true, TextZH: "欠税", TextEN: "unpaid"}}},
		{SCC: Traders[1], From: credit.GradeRegular, To: credit.GradeAdvancedCertified, On: 20500, At: at, Cause: credit.CauseCertification,
			By: "credit.chen", Score: 104, Grounds: []credit.Ground{}},
		{SCC: Traders[0], From: credit.GradeDishonest, To: credit.GradeRegular, On: 20600, At: at.Add(time.Hour), Cause: credit.CauseRepair,
			By: "credit.chen", Score: 80, Grounds: []credit.Ground{}},
	}
	if err := s.Credit.AppendGradeChanges(ctx, cs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Credit.GradeChanges(ctx, Traders[0], 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("changes %v %v", got, err)
	}
	if got[0].ID <= got[1].ID {
		t.Errorf("not newest first: %d, %d", got[0].ID, got[1].ID)
	}
	got[0].ID, got[1].ID = 0, 0
	if !reflect.DeepEqual(got, []credit.GradeChange{cs[2], cs[0]}) {
		t.Errorf("changes\n got %+v\nwant %+v", got, []credit.GradeChange{cs[2], cs[0]})
	}
	all, _ := s.Credit.GradeChanges(ctx, "", 2)
	if len(all) != 2 || all[0].Cause != credit.CauseRepair {
		t.Errorf("all changes %+v", all)
	}
}

func testRepairs(t *testing.T, s CreditStores) {
	ctx := context.Background()
	codes := manyEnterprises(t, s.Enterprises, 3) // districts 2201, 2244, 5301
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	var ids []int64
	for i, scc := range []string{codes[0], codes[1], codes[2], codes[0]} {
		r := &credit.Repair{SCC: scc, Grounds: []credit.GroundRef{{Rule: credit.RuleUnpaidTax, Event: int64(10 + i)}},
			Reason: "已补缴税款", Evidence: []credit.Evidence{{Kind: "tax_paid", Reference: "缴款书 2026-001"}},
			Status: credit.RepairPending, AppliedAt: at.Add(time.Duration(i) * time.Minute), AppliedBy: "decl.zhang",
			GradeBefore: credit.GradeDishonest}
		if err := s.Credit.PutRepair(ctx, r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	got, err := s.Credit.Repair(ctx, ids[1])
	if err != nil || got.ID != ids[1] || got.SCC != codes[1] || got.Evidence[0].Reference != "缴款书 2026-001" || !got.AppliedAt.Equal(at.Add(time.Minute)) {
		t.Fatalf("repair %+v %v", got, err)
	}
	_, err = s.Credit.Repair(ctx, 9999)
	wantCode(t, err, jinguan.ENOTFOUND)

	decided := at.Add(time.Hour)
	after := credit.GradeRegular
	r, err := s.Credit.UpdateRepair(ctx, ids[0], func(r *credit.Repair) error {
		r.Status, r.DecidedAt, r.DecidedBy, r.Decision, r.GradeAfter = credit.RepairApproved, &decided, "credit.chen", "条件满足", &after
		return nil
	})
	if err != nil || r.Status != credit.RepairApproved {
		t.Fatalf("update: %+v %v", r, err)
	}
	refuse := jinguan.Errorf(jinguan.ETRANSITION, "不行", "no")
	if _, err := s.Credit.UpdateRepair(ctx, ids[1], func(r *credit.Repair) error {
		r.Status = credit.RepairRejected
		return refuse
	}); err != refuse {
		t.Fatalf("update error %v", err)
	}
	_, err = s.Credit.UpdateRepair(ctx, 9999, func(*credit.Repair) error { return nil })
	wantCode(t, err, jinguan.ENOTFOUND)

	list := func(f credit.RepairFilter) []int64 {
		t.Helper()
		rs, err := s.Credit.Repairs(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for name, c := range map[string]struct {
		f    credit.RepairFilter
		want []int64
	}{
		"pending":   {credit.RepairFilter{Status: credit.RepairPending}, []int64{ids[3], ids[2], ids[1]}},
		"approved":  {credit.RepairFilter{Status: credit.RepairApproved}, []int64{ids[0]}},
		"by scc":    {credit.RepairFilter{SCC: codes[0]}, []int64{ids[3], ids[0]}},
		"area 22":   {credit.RepairFilter{Area: "22"}, []int64{ids[3], ids[1], ids[0]}},
		"area 5301": {credit.RepairFilter{Area: "5301", Status: credit.RepairPending}, []int64{ids[2]}},
		"limit":     {credit.RepairFilter{Limit: 1}, []int64{ids[3]}},
		"nothing":   {credit.RepairFilter{SCC: "none"}, nil},
	} {
		if got := list(c.f); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	got, _ = s.Credit.Repair(ctx, ids[0])
	if got.DecidedBy != "credit.chen" || got.GradeAfter == nil || *got.GradeAfter != credit.GradeRegular {
		t.Errorf("decided repair %+v", got)
	}
}

func testCertify(t *testing.T, s CreditStores) {
	ctx := context.Background()
	codes := manyEnterprises(t, s.Enterprises, 2)
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	grant := &credit.Certification{SCC: codes[1], Action: "grant", Level: "advanced", Number: "AEOCN2244000001",
		ValidFrom: credit.DateOf(creditDay), ValidTo: credit.DateOf(creditDay.AddDate(3, 0, 0)), Reference: "沪关认〔2026〕3号",
		Reason: "认证标准全部达标", DecidedBy: "credit.chen", DecidedAt: at}
	if err := s.Credit.Certify(ctx, grant); err != nil {
		t.Fatal(err)
	}
	e, _ := s.Enterprises.Enterprise(ctx, codes[1])
	if e.AEO == nil || e.AEO.Number != grant.Number || e.AEO.Level != "advanced" || credit.DateOf(e.AEO.ValidFrom) != grant.ValidFrom ||
		e.AEO.ValidTo == nil || credit.DateOf(*e.AEO.ValidTo) != grant.ValidTo || e.UpdatedBy != "credit.chen" {
		t.Fatalf("after grant: %+v %+v", e, e.AEO)
	}
	revoke := &credit.Certification{SCC: codes[1], Action: "revoke", ValidFrom: grant.ValidFrom + 100, Reference: "沪关认〔2026〕9号",
		Reason: "失信", DecidedBy: "credit.chen", DecidedAt: at.Add(time.Hour)}
	if err := s.Credit.Certify(ctx, revoke); err != nil {
		t.Fatal(err)
	}
	e, _ = s.Enterprises.Enterprise(ctx, codes[1])
	if e.AEO == nil || e.AEO.Number != grant.Number || credit.DateOf(*e.AEO.ValidTo) != revoke.ValidFrom || e.AEO.Decision != revoke.Reference {
		t.Fatalf("after revocation: %+v", e.AEO)
	}
	got, err := s.Credit.Certifications(ctx, codes[1])
	if err != nil || len(got) != 2 || got[0].ID == 0 || got[0].ID >= got[1].ID {
		t.Fatalf("certifications %+v %v", got, err)
	}
	if !reflect.DeepEqual(got[0], *grant) || !reflect.DeepEqual(got[1], *revoke) {
		t.Errorf("certifications\n got %+v\nwant %+v %+v", got, *grant, *revoke)
	}
	err = s.Credit.Certify(ctx, &credit.Certification{SCC: "91000000000000000X", Action: "grant", Level: "advanced", DecidedAt: at})
	wantCode(t, err, jinguan.ENOTFOUND)
	if none, _ := s.Credit.Certifications(ctx, codes[0]); len(none) != 0 {
		t.Errorf("certifications of another enterprise: %+v", none)
	}
}

func testClearance(t *testing.T, s CreditStores) {
	ctx := context.Background()
	d := Decl(0)
	at := d.DeclaredAt
	ev := func(seq int, a declaration.Action, reason string) declaration.Event {
		return declaration.Event{DeclarationID: d.ID, Seq: seq, Action: a, Actor: "officer.li", Role: "officer",
			At: at.Add(time.Duration(seq) * time.Minute), Reason: reason}
	}
	batch(t, s.Declarations, func(ctx context.Context, tx declaration.Tx) error {
		if err := tx.Insert(ctx, d); err != nil {
			return err
		}
		return tx.AppendEvents(ctx, Event(d), ev(2, declaration.ActRecordResult, "finding"), ev(3, declaration.ActReject, "单证不全"),
			ev(4, declaration.ActAmend, ""), ev(5, declaration.ActRelease, "ok"), ev(6, declaration.ActRecordResult, "no_finding"),
			ev(7, declaration.ActRecordAudit, "finding"))
	})
	var seen []credit.ClearanceEvent
	follow := func(limit int) ([]credit.Event, int) {
		t.Helper()
		stored, n, err := s.Credit.FollowClearance(ctx, limit, func(ces []credit.ClearanceEvent) []credit.Event {
			seen = append(seen, ces...)
			var out []credit.Event
			for _, c := range ces {
				if c.Action == "record_result" && c.Reason == "finding" {
					out = append(out, credit.Event{SCC: c.Trader, Kind: credit.KindInspectionFinding, On: credit.DateOf(c.At),
						Source: "查验系统", Reference: c.EntryID, Amount: decimal.Zero, RecordedAt: c.At, RecordedBy: "system"})
				}
			}
			return out
		})
		if err != nil {
			t.Fatal(err)
		}
		return stored, n
	}
	stored, n := follow(2)
	if n != 2 || len(stored) != 1 || stored[0].ID == 0 || stored[0].SCC != d.Head.TradeCoScc {
		t.Fatalf("first take: %d events, stored %+v", n, stored)
	}
	if _, n = follow(10); n != 3 {
		t.Fatalf("second take: %d", n)
	}
	if _, n = follow(10); n != 0 {
		t.Fatalf("third take: %d", n)
	}
	want := []string{"record_result finding", "reject 单证不全", "amend ", "record_result no_finding", "record_audit finding"}
	if len(seen) != len(want) {
		t.Fatalf("followed %+v", seen)
	}
	for i, c := range seen {
		if got := c.Action + " " + c.Reason; got != want[i] || c.Trader != d.Head.TradeCoScc || c.Agent != d.Head.AgentCodeScc ||
			c.EntryID != d.EntryID || c.DeclarationID != d.ID || !c.At.Equal(at.Add(time.Duration(c.Seq)*time.Minute)) {
			t.Errorf("followed %d: %+v, want %s", i, c, want[i])
		}
	}
	es, _ := s.Credit.Events(ctx, d.Head.TradeCoScc)
	if len(es) != 1 || es[0].Kind != credit.KindInspectionFinding || es[0].Reference != d.EntryID {
		t.Errorf("stored events %+v", es)
	}
}

func testVolumes(t *testing.T, s CreditStores) {
	ctx := context.Background()
	// Decl(i): trader Traders[i%3], agent Agents[i%2], lane Lanes[i%6].
	var ds []*declaration.Declaration
	for i := 0; i < 12; i++ {
		ds = append(ds, Decl(i))
	}
	insert(t, s.Declarations, ds...)
	from, to := ds[0].DeclaredAt, ds[0].DeclaredAt
	for _, d := range ds {
		if d.DeclaredAt.Before(from) {
			from = d.DeclaredAt
		}
		if d.DeclaredAt.After(to) {
			to = d.DeclaredAt
		}
	}
	to = to.Add(time.Microsecond)
	vols, err := s.Credit.ClearanceVolumes(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]credit.Volume{}
	for _, d := range ds {
		for _, scc := range []string{d.Head.TradeCoScc, d.Head.AgentCodeScc} {
			if scc == d.Head.AgentCodeScc && scc == d.Head.TradeCoScc {
				continue
			}
			v := want[scc]
			v.SCC = scc
			v.Declarations++
			if d.Lane == declaration.LaneRed {
				v.Inspections++
			}
			want[scc] = v
		}
	}
	if len(vols) != len(want) {
		t.Fatalf("volumes %+v, want %+v", vols, want)
	}
	for _, v := range vols {
		if want[v.SCC] != v {
			t.Errorf("volume %+v, want %+v", v, want[v.SCC])
		}
	}
	if none, err := s.Credit.ClearanceVolumes(ctx, to, to.Add(time.Hour)); err != nil || len(none) != 0 {
		t.Errorf("empty period: %+v %v", none, err)
	}

	// A keyed batch is stored once.
	es := []credit.Event{{SCC: Traders[0], Kind: credit.KindActivity, On: credit.DateOf(creditDay), Source: "通关统计", Amount: decimal.Zero,
		Counts: &credit.Counts{Declarations: 4}, RecordedAt: creditDay.UTC(), RecordedBy: "system"}}
	stored, fresh, err := s.Credit.AppendEventsOnce(ctx, "activity:2026-03", es)
	if err != nil || !fresh || len(stored) != 1 || stored[0].ID == 0 {
		t.Fatalf("first: %+v %v %v", stored, fresh, err)
	}
	stored, fresh, err = s.Credit.AppendEventsOnce(ctx, "activity:2026-03", es)
	if err != nil || fresh || stored != nil {
		t.Fatalf("second: %+v %v %v", stored, fresh, err)
	}
	if got, _ := s.Credit.Events(ctx, Traders[0]); len(got) != 1 {
		t.Errorf("stored %d events", len(got))
	}
}

func testRegistryChanges(t *testing.T, s CreditStores) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	cs := []credit.RegistryChange{
		{SCC: Traders[0], At: at, By: "credit.chen", Action: "register", Changes: []credit.FieldChange{{Field: "name_zh", New: "新锐"}}},
		{SCC: Traders[1], At: at, By: "credit.chen", Action: "register", Changes: []credit.FieldChange{}},
		{SCC: Traders[0], At: at.Add(time.Hour), By: "credit.zhou", Action: "update",
			Changes: []credit.FieldChange{{Field: "status", Old: "active", New: "suspended"}, {Field: "legal_rep", Personal: true}}},
	}
	for i := range cs {
		if err := s.Credit.AppendRegistryChange(ctx, &cs[i]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Credit.RegistryChanges(ctx, Traders[0])
	if err != nil || !reflect.DeepEqual(got, []credit.RegistryChange{cs[2], cs[0]}) {
		t.Errorf("changes %+v %v", got, err)
	}
	if none, err := s.Credit.RegistryChanges(ctx, Traders[2]); err != nil || none == nil || len(none) != 0 {
		t.Errorf("none: %+v %v", none, err)
	}
}
