package tariff

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
)

// sampleDir writes the embedded sample as a deployment's tariff folder,
// with edit applied to the schedule file.
func sampleDir(t *testing.T, edit func(string) string) string {
	dir := t.TempDir()
	data, _ := fs.Sub(sampleFS, "data")
	for _, name := range rateFiles {
		src := name
		if name == ScheduleFile {
			src = "sample-schedule.csv"
		}
		b, err := fs.ReadFile(data, src)
		if err != nil {
			continue
		}
		if name == ScheduleFile {
			b = []byte(edit(string(b)))
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const laptop = "8471300000,847130,重量不超过10千克的便携式自动数据处理设备,\"Portable automatic data processing machines, weighing not more than 10 kg\",001,035,0,70,13,2022-01-01,"

func TestVersionsNeverRewriteThePast(t *testing.T) {
	today := time.Date(2026, 12, 2, 10, 0, 0, 0, jinguan.China)
	archive := t.TempDir()
	same := func(s string) string { return s }
	base := sampleDir(t, same)
	s, err := LoadDir(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	sample, _ := SampleSchedule(nil)
	if s.Version() == "" || s.Version() != sample.Version() {
		t.Fatalf("version %q, sample %q: the same files make the same version", s.Version(), sample.Version())
	}
	if err := Archive(base, archive, s.Version(), today, false); err != nil {
		t.Fatal(err)
	}
	if cur, _ := os.ReadFile(filepath.Join(archive, "current")); strings.TrimSpace(string(cur)) != s.Version() {
		t.Fatalf("current %q", cur)
	}

	a := &Assessor{Schedule: s, Rates: fixedRate{"USD": "7.1000"}, Codes: mustCatalog(t), Config: DefaultTaxConfig()}
	ta, err := a.Assess(context.Background(), decl("1", nil, item(1, "8471300000", "1000", "CNY", "USA")), today)
	if err != nil || ta.Schedule != s.Version() {
		t.Fatalf("the assessment records schedule %q, want %q (%v)", ta.Schedule, s.Version(), err)
	}

	// A new rate from tomorrow closes the old row: accepted, a new version.
	next := sampleDir(t, func(c string) string {
		return strings.Replace(c, laptop, strings.TrimSuffix(laptop, ",")+",2026-12-03\n"+
			strings.Replace(strings.TrimSuffix(laptop, "2022-01-01,"), ",0,70,13,", ",5,70,13,", 1)+"2026-12-03,", 1)
	})
	n, err := LoadDir(next, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.Version() == s.Version() {
		t.Fatal("changed files, same version")
	}
	if err := Archive(next, archive, n.Version(), today, false); err != nil {
		t.Fatalf("a version from tomorrow refused: %v", err)
	}
	for _, v := range []string{s.Version(), n.Version()} {
		if _, err := os.Stat(filepath.Join(archive, v, ScheduleFile)); err != nil {
			t.Errorf("version %s not kept: %v", v, err)
		}
	}
	on := func(s *Schedule, d string) string {
		x, _ := time.ParseInLocation(time.DateOnly, d, jinguan.China)
		l, _ := s.Line("8471300000", x)
		return l.MFN.String()
	}
	if on(n, "2026-12-02") != "0" || on(n, "2026-12-03") != "5" {
		t.Errorf("rates by date: %s, %s", on(n, "2026-12-02"), on(n, "2026-12-03"))
	}

	// Editing a rate in force in the past is refused, naming the row…
	past := sampleDir(t, func(c string) string {
		c = strings.Replace(c, laptop, strings.TrimSuffix(laptop, ",")+",2026-12-03\n"+
			strings.Replace(strings.TrimSuffix(laptop, "2022-01-01,"), ",0,70,13,", ",5,70,13,", 1)+"2026-12-03,", 1)
		return strings.Replace(c, ",0,70,13,2022-01-01,2026-12-03", ",1,70,13,2022-01-01,2026-12-03", 1)
	})
	p, err := LoadDir(past, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = Archive(past, archive, p.Version(), today, false)
	if err == nil || !strings.Contains(err.Error(), "8471300000") || !strings.Contains(err.Error(), "mfn_rate=1") {
		t.Fatalf("retroactive change: %v", err)
	}
	if cur, _ := os.ReadFile(filepath.Join(archive, "current")); strings.TrimSpace(string(cur)) != n.Version() {
		t.Errorf("a refused folder became current: %s", cur)
	}
	// … unless meant.
	if err := Archive(past, archive, p.Version(), today, true); err != nil {
		t.Fatal(err)
	}
}

func mustCatalog(t *testing.T) *refdata.Catalog {
	cat, err := refdata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
