package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const profilesYAML = `profiles:
  - id: WINE-LOW
    title: 葡萄酒低报 / Undervalued wine
    rationale: below 15 CNY a litre
    scope: {level: national}
    direction: I
    valid_from: 2025-01-01T00:00:00+08:00
    expr: item.hs4 == "2204" && item.unit_value_cny < 15.0
    action: {lane: yellow, percent: 100, instruction: 审核价格说明}
    owner: analyst.zhao
    status: active
  - id: MEAT-SANITARY
    title: 肉类检疫 / Meat
    rationale: sanitary certificates
    scope: {level: regional, channel: sea}
    valid_from: 2025-01-01T00:00:00+08:00
    expr: item.chapter == "02"
    action: {lane: red, percent: 30}
    owner: analyst.zhao
`

func TestRiskProfilesCommands(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := riskCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append(append([]string{"profiles"}, args...), "--data", dir, "--actor", "analyst.zhao"))
		err := cmd.Execute()
		return out.String(), err
	}
	file := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(file, []byte(profilesYAML), 0o644)
	if out, err := run("import", file); err != nil || !strings.Contains(out, "WINE-LOW v1 active") || !strings.Contains(out, "MEAT-SANITARY v1 draft") {
		t.Fatalf("import: %v %s", err, out)
	}
	out, err := run("list")
	if err != nil || !strings.Contains(out, "regional/sea") || !strings.Contains(out, "WINE-LOW") {
		t.Fatalf("list: %v %s", err, out)
	}
	if out, err = run("activate", "MEAT-SANITARY", "1", "--reason", "season"); err != nil || !strings.Contains(out, "active") {
		t.Fatalf("activate: %v %s", err, out)
	}
	if out, err = run("list", "--status", "active"); strings.Count(out, "active") != 2 {
		t.Fatalf("active list: %v %s", err, out)
	}
	out, err = run("show", "MEAT-SANITARY", "--format", "json")
	if err != nil || !strings.Contains(out, `"reason": "season"`) || !strings.Contains(out, `"actor": "analyst.zhao"`) {
		t.Fatalf("show: %v %s", err, out)
	}
	exported := filepath.Join(t.TempDir(), "e.yaml")
	if _, err = run("export", "--out", exported); err != nil {
		t.Fatal(err)
	}
	if out, err = run("import", exported); err != nil || !strings.Contains(out, "WINE-LOW v2 active") {
		t.Fatalf("re-import of the export: %v %s", err, out)
	}
	if out, err = run("retire", "WINE-LOW", "2"); err != nil || !strings.Contains(out, "retired") {
		t.Fatalf("retire: %v %s", err, out)
	}
	if out, err = run("backtest", "MEAT-SANITARY", "--days", "7"); err != nil || !strings.Contains(out, "declarations=0") {
		t.Fatalf("backtest: %v %s", err, out)
	}
	// A bad file changes nothing and says where.
	bad := strings.Replace(profilesYAML, `item.chapter == "02"`, `item.chapter == `, 1)
	bad = strings.Replace(bad, "owner: analyst.zhao\n    status: active", "owner: analyst.zhao\n    colour: red", 1)
	os.WriteFile(file, []byte(bad), 0o644)
	if out, err = run("import", file); err == nil || !strings.Contains(out, "/profiles/0/colour") {
		t.Fatalf("unknown field: %v %s", err, out)
	}
	bad = strings.Replace(profilesYAML, `item.chapter == "02"`, `item.chapter == `, 1)
	os.WriteFile(file, []byte(bad), 0o644)
	if out, err = run("import", file); err == nil || !strings.Contains(out, "/1/expr\tcel_compile") {
		t.Fatalf("syntax error: %v %s", err, out)
	}
	if out, _ = run("show", "MEAT-SANITARY"); strings.Contains(out, "version: 3") || !strings.Contains(out, "version: 2") {
		t.Fatalf("a refused import stored a version: %s", out)
	}
}
