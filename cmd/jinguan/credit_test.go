package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/demo"
)

func TestCreditCommands(t *testing.T) {
	dir := t.TempDir()
	a, err := app.Open(context.Background(), app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.Close()
	run := func(args ...string) (string, error) {
		cmd := creditCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append(args, "--data", dir))
		err := cmd.Execute()
		return out.String(), err
	}
	scc := demo.Enterprises()[4].SCC
	today := credit.DateOf(time.Now())
	file := filepath.Join(dir, "events.jsonl")
	write := func(lines ...string) {
		if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ev := func(kind, extra string) string {
		return fmt.Sprintf(`{"scc":%q,"kind":%q,"on":%q,"source":"处罚系统"%s}`, scc, kind, today-10, extra)
	}
	// An invalid line is reported by its number; its batch stores nothing.
	write("# penalties of the week", ev("penalty", `,"amount":"60000","intentional":true`), "", ev("penalty", `,"amount":"-5","intentional":true`))
	out, err := run("import", file)
	if err == nil || !strings.Contains(err.Error(), "line 4 /amount: amount_positive") {
		t.Fatalf("bad file: %v %s", err, out)
	}
	write(ev("smuggling", `,"criminal":true`), `{"scc":"91310115MA0000001X","kind":"rejection","on":"2026-01-01","source":"x"}`)
	if _, err = run("import", file, "--batch", "1"); err == nil || !strings.Contains(err.Error(), "line 2 /scc: scc_check") {
		t.Fatalf("bad code: %v", err)
	}
	write(ev("penalty", `,"amount":"60000","intentional":true`), ev("late_annual_report", ""))
	if out, err = run("import", file, "--batch", "1"); err != nil || !strings.Contains(out, "stored 2 events") {
		t.Fatalf("import: %v %s", err, out)
	}
	out, err = run("show", scc)
	if err != nil || !strings.Contains(out, "seriously_dishonest") || !strings.Contains(out, "smuggling_criminal (IN FORCE)") ||
		!strings.Contains(out, "late_annual_report") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, err = run("run")
	if err != nil || !strings.Contains(out, "enterprises, 3 events graded") {
		t.Fatalf("run: %v %s", err, out)
	}
	out, err = run("grades")
	if err != nil || !strings.Contains(out, "seriously_dishonest 严重失信企业  1") {
		t.Fatalf("grades: %v\n%s", err, out)
	}
}
