package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestEcommerceCLI(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := ecommerceCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(append(args, "--data", dir))
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	// The demo parties are registered by a seeded server; without them the
	// samples are refused, which the receipts say.
	got := run("submit", "../../ecommerce/testdata/ceb311-order.xml", "../../ecommerce/testdata/ceb621-inventory.xml")
	if !strings.Contains(got, `"code": "not_registered"`) || !strings.Contains(got, `"type": "CEB622"`) {
		t.Fatalf("submit: %s", got)
	}
	if got := run("lists"); !strings.Contains(got, "3301960EBP|ORD20261111000001") {
		t.Fatalf("lists: %s", got)
	}
	cmd := ecommerceCmd()
	cmd.SetArgs([]string{"register", "--code", "3301960EBP", "--scc", "91330100MA0000000X", "--roles", "ebp", "--data", dir})
	if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "--scc") {
		t.Fatalf("an enterprise outside the registry was registered: %v", err)
	}
	if got := run("show", "1"); !strings.Contains(got, `"orderNo": "ORD20261111000001"`) {
		t.Fatalf("show: %s", got)
	}
}
