package credit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/sqlite"
	"github.com/jinguan-customs/jinguan/uscc"
)

// world is a service on a fresh SQLite file with a clock the test moves.
type world struct {
	t   *testing.T
	db  *sqlite.DB
	svc *credit.Service
	now time.Time
	cfg credit.Config
}

var (
	admin    = auth.Principal{User: "admin", Role: auth.RoleAdmin}
	chen     = auth.Principal{User: "credit.chen", Role: auth.RoleCreditOfficer, Office: "2200"}
	zhou     = auth.Principal{User: "credit.zhou", Role: auth.RoleCreditOfficer, Office: "2200"}
	shenzhen = auth.Principal{User: "credit.lin", Role: auth.RoleCreditOfficer, Office: "5300"}
	wang     = auth.Principal{User: "officer.wang", Role: auth.RoleOfficer, Office: "2201"}
	analyst  = auth.Principal{User: "analyst.zhao", Role: auth.RoleRiskAnalyst}
)

var catalog = func() *refdata.Catalog {
	c, err := refdata.Embedded()
	if err != nil {
		panic(err)
	}
	return c
}()

func newWorld(t *testing.T, cfg credit.Config) *world {
	t.Helper()
	w := &world{t: t, now: time.Date(2026, 3, 2, 10, 0, 0, 0, jinguan.China), cfg: cfg}
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "jinguan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	w.open()
	return w
}

// open starts a service on the database, as a restart does.
func (w *world) open() {
	svc, err := credit.NewService(w.cfg, credit.Deps{Store: w.db.Credit(), Enterprises: w.db.Enterprises(),
		Validator: &enterprise.Validator{Catalog: catalog}, Clock: func() time.Time { return w.now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := svc.Load(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	w.svc = svc
}

func code(n int) string { return uscc.Complete(fmt.Sprintf("91310115MA%07d", n)) }

func (w *world) register(p auth.Principal, n int, customs string, extra string) credit.EnterpriseView {
	w.t.Helper()
	v, err := w.svc.Register(context.Background(), p, []byte(fmt.Sprintf(`{"scc":%q,"name_zh":"测试企业%d","roles":["consignee"],
		"customs":%q,"registered_at":"2015-06-01","legal_rep":{"name":"张伟","id_type":"resident_id","id_number":"11010519491231002X"}%s}`,
		code(n), n, customs, extra)))
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *world) record(p auth.Principal, body string) (credit.Recorded, error) {
	return w.svc.RecordEvent(context.Background(), p, []byte(body))
}

func (w *world) mustRecord(p auth.Principal, body string) credit.Event {
	w.t.Helper()
	r, err := w.record(p, body)
	if err != nil {
		w.t.Fatal(err)
	}
	return r.Events[0]
}

func (w *world) grade(n int) credit.Grade {
	w.t.Helper()
	a, err := w.svc.Assess(context.Background(), admin, code(n), 0)
	if err != nil {
		w.t.Fatal(err)
	}
	g, _, _ := w.svc.Book().Current(code(n))
	if g != a.Grade {
		w.t.Errorf("stored grade %s, assessment %s", g, a.Grade)
	}
	return a.Grade
}

func fieldCodes(err error) string {
	var out []string
	for _, f := range jinguan.AsError(err).Fields {
		out = append(out, f.Pointer+":"+f.Code)
	}
	return jinguan.ErrorCode(err) + " " + strings.Join(out, " ")
}

func TestRegistry(t *testing.T) {
	w := newWorld(t, credit.DefaultConfig())
	ctx := context.Background()
	// A bad credit code and friends: coded errors, nothing stored.
	_, err := w.svc.Register(ctx, chen, []byte(`{"scc":"91310115MA0000001X","name_zh":"坏企业","roles":["consignee"],"customs":"2200","registered_at":"2015-06-01"}`))
	if got := fieldCodes(err); got != "invalid /scc:scc_check" {
		t.Errorf("bad check character: %s", got)
	}
	_, err = w.svc.Register(ctx, chen, []byte(`{"scc":"`+code(1)+`","name_zh":"深圳企业","roles":["consignee"],"customs":"5300","registered_at":"2015-06-01"}`))
	if got := fieldCodes(err); got != "invalid /customs:outside_area" {
		t.Errorf("outside area: %s", got)
	}
	if _, err := w.svc.Register(ctx, wang, []byte(`{}`)); jinguan.ErrorCode(err) != jinguan.EFORBIDDEN {
		t.Errorf("an officer registered: %v", err)
	}
	if all, _ := w.db.Enterprises().ListEnterprises(ctx); len(all) != 0 {
		t.Fatalf("stored %d enterprises", len(all))
	}
	v := w.register(chen, 1, "2201", `,"contacts":[{"name":"李娜","phone":"13800000000"}]`)
	if v.Grade != credit.GradeRegular || !v.Scored || v.UpdatedBy != "credit.chen" {
		t.Errorf("registered %+v", v)
	}
	if _, err := w.svc.Register(ctx, chen, []byte(`{"scc":"`+code(1)+`","name_zh":"x","roles":["consignee"],"customs":"2201","registered_at":"2015-06-01"}`)); jinguan.ErrorCode(err) != jinguan.ECONFLICT {
		t.Errorf("registered twice: %v", err)
	}
	w.register(shenzhen, 2, "5301", "")

	// Who sees what.
	self := auth.Principal{User: "decl.a", Role: auth.RoleDeclarant, Enterprise: code(1)}
	other := auth.Principal{User: "decl.b", Role: auth.RoleDeclarant, Enterprise: code(2)}
	for _, c := range []struct {
		p        auth.Principal
		sees     bool
		personal bool
	}{{chen, true, true}, {wang, true, false}, {analyst, true, false}, {self, true, true}, {other, false, false},
		{shenzhen, false, false}, {admin, true, true}} {
		v, err := w.svc.Enterprise(ctx, c.p, code(1))
		switch {
		case !c.sees && jinguan.ErrorCode(err) != jinguan.ENOTFOUND:
			t.Errorf("%s sees it: %v", c.p.User, err)
		case c.sees && err != nil:
			t.Errorf("%s: %v", c.p.User, err)
		case c.sees && (v.LegalRep.IDNumber != "") != c.personal, c.sees && (len(v.Contacts) > 0) != c.personal:
			t.Errorf("%s: personal data %+v %+v", c.p.User, v.LegalRep, v.Contacts)
		}
	}
	list, _, err := w.svc.Enterprises(ctx, wang, credit.ListFilter{})
	if err != nil || len(list) != 1 || list[0].SCC != code(1) || list[0].LegalRep.IDNumber != "" {
		t.Errorf("officer's list %+v %v", list, err)
	}
	list, _, _ = w.svc.Enterprises(ctx, other, credit.ListFilter{})
	if len(list) != 1 || list[0].SCC != code(2) {
		t.Errorf("declarant's list %+v", list)
	}
	if _, _, err := w.svc.Enterprises(ctx, wang, credit.ListFilter{Customs: "5301"}); fieldCodes(err) != "invalid /query/customs:outside_area" {
		t.Errorf("list outside area: %v", err)
	}

	// An update keeps what other decisions set and cannot change the code.
	_, err = w.svc.Update(ctx, chen, code(1), []byte(`{"scc":"`+code(3)+`","name_zh":"x","roles":["broker"],"customs":"2201","registered_at":"2015-06-01"}`))
	if got := fieldCodes(err); got != "invalid /scc:mismatch" {
		t.Errorf("changed code: %s", got)
	}
	v, err = w.svc.Update(ctx, chen, code(1), []byte(`{"name_zh":"测试企业一","roles":["broker"],"customs":"2248","registered_at":"2015-06-01","status":"suspended"}`))
	if err != nil || v.NameZH != "测试企业一" || v.Status != enterprise.StatusSuspended || v.LegalRep != nil {
		t.Errorf("updated %+v %v", v, err)
	}
	if _, err := w.svc.Update(ctx, wang, code(1), []byte(`{}`)); jinguan.ErrorCode(err) != jinguan.EFORBIDDEN {
		t.Errorf("officer updated: %v", err)
	}
	// Both officer actions are audited; personal data by name only.
	audit, err := w.svc.RegistryChanges(ctx, zhou, code(1))
	if err != nil || len(audit) != 2 || audit[0].Action != "update" || audit[0].By != "credit.chen" || audit[1].Action != "register" {
		t.Fatalf("audit %+v %v", audit, err)
	}
	fields := map[string]credit.FieldChange{}
	for _, c := range audit[0].Changes {
		fields[c.Field] = c
	}
	if fields["name_zh"].New != "测试企业一" || fields["customs"].Old != "2201" || fields["status"].New != "suspended" ||
		!fields["legal_rep"].Personal || fields["legal_rep"].Old != "" || !fields["contacts"].Personal || len(fields) != 6 {
		t.Errorf("changes %+v", audit[0].Changes)
	}
}

func TestRecordEvents(t *testing.T) {
	w := newWorld(t, credit.DefaultConfig())
	ctx := context.Background()
	w.register(chen, 1, "2201", "")
	w.register(shenzhen, 2, "5301", "")
	// Malformed events: coded errors with pointers, nothing stored.
	for body, want := range map[string]string{
		`{"scc":"` + code(1) + `","kind":"penalty","on":"2026-02-30","source":"x","amount":"1"}`: "invalid /on:date_format /intentional:required",
		`{"scc":"` + code(1)[:17] + `0","kind":"rejection","on":"2026-02-01","source":"x"}`:      "invalid /scc:scc_check",
		`{"scc":"` + code(2) + `","kind":"rejection","on":"2026-02-01","source":"x"}`:            "invalid /scc:outside_area",
		`{"scc":"` + code(1) + `","kind":"rejection","on":"2026-02-01","source":"x"`:             "invalid :malformed_json",
	} {
		if _, err := w.record(chen, body); fieldCodes(err) != want {
			t.Errorf("%s: %s, want %s", body, fieldCodes(err), want)
		}
	}
	_, err := w.svc.ImportEvents(ctx, chen, []byte(`{"events":[
		{"scc":"`+code(1)+`","kind":"rejection","on":"2026-02-01","source":"x"},
		{"scc":"`+code(1)+`","kind":"penalty","on":"2026-02-01","source":"x","amount":"0","intentional":true}]}`))
	if got := fieldCodes(err); got != "invalid /events/1/amount:amount_positive" {
		t.Errorf("batch: %s", got)
	}
	if _, err := w.record(wang, `{}`); jinguan.ErrorCode(err) != jinguan.EFORBIDDEN {
		t.Errorf("an officer recorded: %v", err)
	}
	if es, _ := w.svc.Events(ctx, admin, code(1)); len(es) != 0 {
		t.Fatalf("stored %d events", len(es))
	}

	// A smuggling crime makes the enterprise seriously dishonest at once,
	// and the change is audited with the event behind it.
	rec, err := w.record(chen, `{"scc":"`+code(1)+`","kind":"smuggling","on":"2026-02-20","source":"缉私局","reference":"沪关缉刑〔2026〕7号","criminal":true}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.GradeChanges) != 1 || rec.GradeChanges[0].To != credit.GradeSeriouslyDishonest || rec.GradeChanges[0].By != "credit.chen" ||
		rec.GradeChanges[0].Cause != credit.CauseEvent || rec.GradeChanges[0].Grounds[0].Event != rec.Events[0].ID {
		t.Errorf("grade change %+v", rec.GradeChanges)
	}
	if g, m := w.svc.Book().Lookup(code(1)); g != credit.GradeSeriouslyDishonest || m.MinInspectionRate < 0.8 {
		t.Errorf("snapshot %s %+v", g, m)
	}
	changes, _ := w.svc.GradeChanges(ctx, wang, code(1))
	if len(changes) != 1 {
		t.Errorf("audit trail %+v", changes)
	}
	// Withdrawn in error: a void event, and the grade returns.
	rec, err = w.record(chen, fmt.Sprintf(`{"scc":%q,"kind":"void","on":"2026-03-01","source":"缉私局","refers_to":%d,"note":"案件主体认定错误"}`,
		code(1), rec.Events[0].ID))
	if err != nil || len(rec.GradeChanges) != 1 || rec.GradeChanges[0].To != credit.GradeRegular {
		t.Fatalf("void: %+v %v", rec, err)
	}
	es, _ := w.svc.Events(ctx, chen, code(1))
	if len(es) != 2 || es[1].Kind != credit.KindVoid || es[1].RecordedBy != "credit.chen" {
		t.Errorf("events %+v", es)
	}
}

func TestRepairWorkflow(t *testing.T) {
	w := newWorld(t, credit.DefaultConfig())
	ctx := context.Background()
	w.now = time.Date(2026, 1, 10, 9, 0, 0, 0, jinguan.China)
	w.register(chen, 1, "2201", "")
	self := auth.Principal{User: "decl.a", Role: auth.RoleDeclarant, Enterprise: code(1)}
	tax := w.mustRecord(chen, `{"scc":"`+code(1)+`","kind":"unpaid_tax","on":"2025-11-20","source":"税费系统","amount":"86000","due_on":"2025-11-15"}`)
	if g := w.grade(1); g != credit.GradeRegular {
		t.Fatalf("before three months: %s", g)
	}
	w.now = time.Date(2026, 2, 16, 9, 0, 0, 0, jinguan.China) // due + 3 months
	if _, err := w.svc.Run(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if g := w.grade(1); g != credit.GradeDishonest {
		t.Fatalf("after three months: %s", g)
	}
	apply := func(p auth.Principal, body string) (credit.Repair, error) {
		return w.svc.ApplyRepair(ctx, p, code(1), []byte(body))
	}
	body := `{"reason":"已补缴全部税款及滞纳金","evidence":[{"kind":"tax_paid","reference":"缴款书 310120260001"}]}`
	if _, err := apply(self, body); fieldCodes(err) != "invalid /grounds:unsettled" {
		t.Errorf("before paying: %s", fieldCodes(err))
	}
	if _, err := apply(self, `{"reason":"","evidence":[{"kind":"bribe","reference":""}]}`); fieldCodes(err) !=
		"invalid /reason:required /evidence/0/kind:unknown_kind /evidence/0/reference:required /grounds:unsettled" {
		t.Errorf("bad application: %s", fieldCodes(err))
	}
	w.now = time.Date(2026, 2, 21, 9, 0, 0, 0, jinguan.China)
	w.mustRecord(chen, fmt.Sprintf(`{"scc":%q,"kind":"settlement","on":"2026-02-20","source":"税费系统","refers_to":%d,"amount":"86000"}`, code(1), tax.ID))
	if g := w.grade(1); g != credit.GradeDishonest {
		t.Fatalf("paying alone repairs: %s", g)
	}
	r, err := apply(self, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != credit.RepairPending || r.GradeBefore != credit.GradeDishonest || len(r.Grounds) != 1 || r.Grounds[0].Event != tax.ID {
		t.Errorf("application %+v", r)
	}
	if _, err := apply(self, body); jinguan.ErrorCode(err) != jinguan.ECONFLICT {
		t.Errorf("second application: %v", err)
	}
	decide := func(p auth.Principal, approve bool, reason string) (credit.Decided, error) {
		return w.svc.DecideRepair(ctx, p, r.ID, approve, []byte(`{"reason":`+mustJSON(reason)+`}`))
	}
	if _, err := decide(self, true, "ok"); jinguan.ErrorCode(err) != jinguan.EFORBIDDEN {
		t.Errorf("the enterprise approved itself: %v", err)
	}
	if _, err := decide(chen, true, ""); fieldCodes(err) != "invalid /reason:required" {
		t.Errorf("no reason: %s", fieldCodes(err))
	}
	if _, err := decide(shenzhen, true, "ok"); jinguan.ErrorCode(err) != jinguan.ENOTFOUND {
		t.Errorf("another area decided: %v", err)
	}
	d, err := decide(chen, true, "税款及滞纳金已缴清，符合修复条件")
	if err != nil {
		t.Fatal(err)
	}
	if d.Repair.Status != credit.RepairApproved || *d.Repair.GradeAfter != credit.GradeRegular || len(d.GradeChanges) != 1 ||
		d.GradeChanges[0].Cause != credit.CauseRepair || d.GradeChanges[0].By != "credit.chen" {
		t.Errorf("decision %+v", d)
	}
	if g := w.grade(1); g != credit.GradeRegular {
		t.Errorf("after repair: %s", g)
	}
	if _, err := decide(zhou, false, "again"); jinguan.ErrorCode(err) != jinguan.ETRANSITION {
		t.Errorf("decided twice: %v", err)
	}
	// A restart keeps the repair.
	w.open()
	if g := w.grade(1); g != credit.GradeRegular {
		t.Errorf("after restart: %s", g)
	}
	mine, _ := w.svc.Repairs(ctx, self, credit.RepairFilter{})
	if len(mine) != 1 || mine[0].DecidedBy != "credit.chen" {
		t.Errorf("self-service list %+v", mine)
	}
}

func TestRepairConditions(t *testing.T) {
	w := newWorld(t, credit.DefaultConfig())
	ctx := context.Background()
	w.register(chen, 1, "2201", "")
	smug := w.mustRecord(chen, `{"scc":"`+code(1)+`","kind":"smuggling","on":"2025-06-01","source":"缉私局","amount":"120000"}`)
	body := `{"reason":"已整改","evidence":[{"kind":"rectified","reference":"整改报告"}]}`
	if _, err := w.svc.ApplyRepair(ctx, chen, code(1), []byte(body)); fieldCodes(err) != "invalid /grounds:waiting_period" {
		t.Errorf("within a year: %s", fieldCodes(err))
	}
	w.now = time.Date(2026, 6, 1, 9, 0, 0, 0, jinguan.China)
	r, err := w.svc.ApplyRepair(ctx, chen, code(1), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	// Rejected: the grade stays.
	d, err := w.svc.DecideRepair(ctx, zhou, r.ID, false, []byte(`{"reason":"整改材料不完整"}`))
	if err != nil || d.Repair.Status != credit.RepairRejected || len(d.GradeChanges) != 0 || *d.Repair.GradeAfter != credit.GradeDishonest {
		t.Errorf("rejection %+v %v", d, err)
	}
	if g := w.grade(1); g != credit.GradeDishonest {
		t.Errorf("after rejection: %s", g)
	}
	// Conditions that no longer hold when deciding refuse the approval:
	// the ground was withdrawn meanwhile.
	r, err = w.svc.ApplyRepair(ctx, chen, code(1), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	w.mustRecord(chen, fmt.Sprintf(`{"scc":%q,"kind":"void","on":"2026-06-01","source":"缉私局","refers_to":%d}`, code(1), smug.ID))
	if _, err := w.svc.DecideRepair(ctx, zhou, r.ID, true, []byte(`{"reason":"ok"}`)); fieldCodes(err) != "invalid /grounds/0:not_active" {
		t.Errorf("approval without a ground: %s", fieldCodes(err))
	}
	if rr, _ := w.svc.Repair(ctx, chen, r.ID); rr.Status != credit.RepairPending {
		t.Errorf("refused approval changed the application: %+v", rr)
	}
	// A criminal case cannot be repaired, only outlived.
	w.register(chen, 2, "2201", "")
	w.mustRecord(chen, `{"scc":"`+code(2)+`","kind":"smuggling","on":"2025-01-01","source":"缉私局","criminal":true}`)
	if _, err := w.svc.ApplyRepair(ctx, chen, code(2), []byte(body)); fieldCodes(err) != "invalid /grounds:not_repairable" {
		t.Errorf("criminal case: %s", fieldCodes(err))
	}
}

func TestCertification(t *testing.T) {
	w := newWorld(t, credit.DefaultConfig())
	ctx := context.Background()
	w.register(chen, 1, "2201", "")
	certify := func(p auth.Principal, n int, body string) (credit.Certified, error) {
		return w.svc.Certify(ctx, p, code(n), []byte(body))
	}
	_, err := certify(chen, 1, `{"action":"grant","level":"top","number":"x","valid_to":"2020-01-01","reference":"","reason":"达标"}`)
	if got := fieldCodes(err); got != "invalid /reference:required /level:unknown_level /number:number_format /valid_to:until_before_on" {
		t.Errorf("bad grant: %s", got)
	}
	c, err := certify(chen, 1, `{"action":"grant","level":"advanced","number":"AEOCN2201000001","valid_to":"2029-03-02","reference":"沪关认〔2026〕3号","reason":"认证标准全部达标"}`)
	if err != nil || len(c.GradeChanges) != 1 || c.GradeChanges[0].To != credit.GradeAdvancedCertified || c.GradeChanges[0].Cause != credit.CauseCertification {
		t.Fatalf("grant %+v %v", c, err)
	}
	if g, m := w.svc.Book().Lookup(code(1)); g != credit.GradeAdvancedCertified || m.RandomMultiplier > 0.2 {
		t.Errorf("snapshot %s %+v", g, m)
	}
	e, _ := w.svc.Enterprise(ctx, chen, code(1))
	if e.AEO == nil || e.AEO.Number != "AEOCN2201000001" || e.Grade != credit.GradeAdvancedCertified {
		t.Errorf("enterprise %+v", e)
	}
	c, err = certify(chen, 1, `{"action":"revoke","reference":"沪关认〔2026〕9号","reason":"复核不达标"}`)
	if err != nil || len(c.GradeChanges) != 1 || c.GradeChanges[0].To != credit.GradeRegular || c.Certification.Number != "AEOCN2201000001" {
		t.Fatalf("revoke %+v %v", c, err)
	}
	if _, err := certify(chen, 1, `{"action":"revoke","reference":"r","reason":"r"}`); fieldCodes(err) != "invalid /action:no_certificate" {
		t.Errorf("revoke twice: %s", fieldCodes(err))
	}
	// No certification while dishonest.
	w.mustRecord(chen, `{"scc":"`+code(1)+`","kind":"smuggling","on":"2026-02-01","source":"缉私局"}`)
	if _, err := certify(chen, 1, `{"action":"grant","level":"general","number":"AEOCN2201000002","reference":"r","reason":"r"}`); fieldCodes(err) != "invalid /action:dishonest_grounds" {
		t.Errorf("grant while dishonest: %s", fieldCodes(err))
	}
	if _, err := certify(wang, 1, `{}`); jinguan.ErrorCode(err) != jinguan.EFORBIDDEN {
		t.Errorf("officer certified: %v", err)
	}
	list, _ := w.svc.Certifications(ctx, analyst, code(1))
	if len(list) != 2 {
		t.Errorf("decisions %+v", list)
	}

	// The 2021 model has no general certification.
	cfg := credit.DefaultConfig()
	cfg.Model = credit.Model2021
	w = newWorld(t, cfg)
	w.register(chen, 1, "2201", "")
	if _, err := w.svc.Certify(ctx, chen, code(1), []byte(`{"action":"grant","level":"general","number":"AEOCN2201000002","reference":"r","reason":"r"}`)); fieldCodes(err) != "invalid /level:level_not_in_model" {
		t.Errorf("general under 2021: %s", fieldCodes(err))
	}
}

func TestListByGrade(t *testing.T) {
	w := newWorld(t, credit.DefaultConfig())
	ctx := context.Background()
	for i := 1; i <= 7; i++ {
		w.register(chen, i, "2201", "")
	}
	for _, n := range []int{2, 5} {
		w.mustRecord(chen, `{"scc":"`+code(n)+`","kind":"smuggling","on":"2026-02-01","source":"缉私局"}`)
	}
	list, more, err := w.svc.Enterprises(ctx, chen, credit.ListFilter{Grade: "dishonest"})
	if err != nil || more || len(list) != 2 || list[0].SCC != code(2) || list[1].SCC != code(5) {
		t.Errorf("dishonest: %+v %v %v", list, more, err)
	}
	list, more, _ = w.svc.Enterprises(ctx, chen, credit.ListFilter{Grade: "regular", Limit: 3})
	if len(list) != 3 || !more || list[1].SCC != code(3) || list[2].SCC != code(4) {
		t.Errorf("regular page 1: %+v", list)
	}
	list, more, _ = w.svc.Enterprises(ctx, chen, credit.ListFilter{Grade: "regular", Limit: 3, After: list[2].SCC})
	if len(list) != 2 || more || list[0].SCC != code(6) {
		t.Errorf("regular page 2: %+v %v", list, more)
	}
	if _, _, err := w.svc.Enterprises(ctx, chen, credit.ListFilter{Grade: "excellent"}); fieldCodes(err) != "invalid /query/grade:unknown_grade" {
		t.Errorf("bad grade: %v", err)
	}
	counts := w.svc.Book().GradeCounts()
	if counts[credit.GradeDishonest] != 2 || counts[credit.GradeRegular] != 5 {
		t.Errorf("counts %v", counts)
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Two nodes on one database: what one records reaches the other's book,
// its grades and its snapshot, and the other writes no audit twice.
func TestCatchUp(t *testing.T) {
	a := newWorld(t, credit.DefaultConfig())
	ctx := context.Background()
	a.register(chen, 1, "2201", "")
	a.register(chen, 2, "2201", "")
	b := &world{t: t, db: a.db, now: a.now, cfg: a.cfg}
	b.open() // the second node starts with the same record
	smug := a.mustRecord(chen, `{"scc":"`+code(1)+`","kind":"smuggling","on":"2025-02-01","source":"缉私局"}`)
	a.register(chen, 3, "2201", "") // registered on the first node after the second started
	a.mustRecord(chen, `{"scc":"`+code(3)+`","kind":"blacklist","on":"2026-02-01","source":"平台","department":"国家税务总局"}`)
	if _, err := a.svc.Certify(ctx, chen, code(2), []byte(`{"action":"grant","level":"advanced","number":"AEOCN2201000009","reference":"r","reason":"r"}`)); err != nil {
		t.Fatal(err)
	}
	if g, _ := b.svc.Book().Lookup(code(1)); g != credit.GradeRegular {
		t.Fatalf("second node knew before catching up: %s", g)
	}
	before, _ := a.db.Credit().GradeChanges(ctx, "", 100)
	if err := b.svc.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int]credit.Grade{1: credit.GradeDishonest, 2: credit.GradeAdvancedCertified, 3: credit.GradeSeriouslyDishonest} {
		if g, _ := b.svc.Book().Lookup(code(n)); g != want {
			t.Errorf("enterprise %d on the second node: %s, want %s", n, g, want)
		}
	}
	// A repair approved on the first node.
	a.now = time.Date(2026, 3, 5, 10, 0, 0, 0, jinguan.China)
	b.now = a.now
	r, err := a.svc.ApplyRepair(ctx, chen, code(1), []byte(`{"reason":"已整改","evidence":[{"kind":"rectified","reference":"整改报告"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.DecideRepair(ctx, zhou, r.ID, true, []byte(`{"reason":"ok"}`)); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if g, _ := b.svc.Book().Lookup(code(1)); g != credit.GradeRegular {
		t.Errorf("after the repair on the other node: %s", g)
	}
	// Catching up again changes nothing and the second node wrote no audit.
	if err := b.svc.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := a.db.Credit().GradeChanges(ctx, "", 100)
	if len(after) != len(before)+1 { // the repair's change, by the first node
		t.Errorf("grade changes %d → %d", len(before), len(after))
	}
	if es, _ := b.svc.Events(ctx, admin, code(1)); len(es) != 1 || es[0].ID != smug.ID {
		t.Errorf("events %+v", es)
	}
	if a, _ := b.svc.Assess(ctx, admin, code(1), 0); len(a.Grounds) != 1 || a.Grounds[0].Repaired == 0 {
		t.Errorf("second node's assessment %+v", a.Grounds)
	}
}
