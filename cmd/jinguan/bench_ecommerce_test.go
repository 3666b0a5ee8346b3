package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A small run of the e-commerce bench: every list is answered, and the
// last line is the one the issue asks for.
func TestBenchEcommerce(t *testing.T) {
	for _, wire := range []string{"none", "xml"} {
		t.Run(wire, func(t *testing.T) {
			var out bytes.Buffer
			if err := benchEcommerce(context.Background(), &out, t.TempDir(), 400, 4, 64, 4096, 0, wire, recordings{}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if last := lines[len(lines)-1]; !regexp.MustCompile(`^lists_per_s=[0-9]+ anchor_ratio=[0-9]+\.[0-9]{2}$`).MatchString(last) {
				t.Fatalf("last line %q\n%s", last, out.String())
			}
			m := regexp.MustCompile(`list receipts at intake \(status code → lists\): map\[(.*)\]`).FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no tally:\n%s", out.String())
			}
			answered := 0
			for _, f := range regexp.MustCompile(`:([0-9]+)`).FindAllStringSubmatch(m[1], -1) {
				k, _ := strconv.Atoi(f[1])
				answered += k
			}
			if answered != 400 {
				t.Fatalf("%d lists answered, want 400:\n%s", answered, out.String())
			}
		})
	}
}
