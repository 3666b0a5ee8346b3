package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeKCS writes n synthetic items in the KCS layout; importers whose
// number is a multiple of 5 commit fraud most of the time.
func writeKCS(t *testing.T, path string, n int, seed uint64, month int, extra string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud\n")
	for i := range n {
		imp := rng.IntN(40)
		fraud := 0
		if p := map[bool]float64{true: 0.8, false: 0.1}[imp%5 == 0]; rng.Float64() < p {
			fraud = 1
		}
		fmt.Fprintf(&b, "%d,2020-%02d-%02d,%d,B,11,21,11,10,D%d,I%d,S%d,,%06d,CN,CN,8.0,A,Y,%.1f,%.1f,%d,%d\n",
			i, month, 1+i%28, 10*rng.IntN(3), rng.IntN(9), imp, rng.IntN(30), 100000+rng.IntN(20)*10,
			1+rng.Float64()*100, 1000+rng.Float64()*1e5, fraud, fraud)
	}
	b.WriteString(extra)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runRisk(args ...string) (string, string, error) {
	cmd := riskCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestRiskModelTrainEvaluate(t *testing.T) {
	dir := t.TempDir()
	train, valid, model := filepath.Join(dir, "train.csv"), filepath.Join(dir, "valid.csv"), filepath.Join(dir, "model.json")
	writeKCS(t, train, 3000, 1, 3, "")
	writeKCS(t, valid, 1000, 2, 9, "9,2020-09-01,10,B,11,21,11,10,D1,I1,S1,,100000,CN,CN,8.0,A,Y,heavy,1,0,0\n")
	if _, stderr, err := runRisk("model", "train", "--format", "kcs", "--data", train, "--valid", valid, "--out", model, "--rounds", "50"); err != nil {
		t.Fatalf("train: %v\n%s", err, stderr)
	}
	out, stderr, err := runRisk("model", "evaluate", "--format", "kcs", "--model", model, "--data", valid)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	if !strings.Contains(stderr, "valid.csv:1002: rejected: mass") {
		t.Errorf("the bad row is not reported with its line: %q", stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	re := regexp.MustCompile(`^precision@1%=\d\.\d{3} precision@2%=\d\.\d{3} precision@5%=\d\.\d{3} precision@10%=\d\.\d{3} recall@5%=\d\.\d{3} auc=(\d\.\d{3})$`)
	m := re.FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line %q", last)
	}
	if m[1] < "0.700" {
		t.Errorf("auc %s on an easy synthetic set", m[1])
	}
	if _, _, err := runRisk("model", "evaluate", "--format", "kcs", "--model", model, "--data", valid, "--strict"); err == nil {
		t.Error("--strict must stop on a rejected row")
	}
}
