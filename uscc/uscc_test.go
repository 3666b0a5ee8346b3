package uscc

import "testing"

func TestProblem(t *testing.T) {
	cases := []struct {
		code, want string
	}{
		{"91350100M000100Y43", ""},       // published example code
		{"91110000600037341L", ""},       // published example code
		{"91350100M000100Y44", "check"},  // last character altered
		{"91110000600037341", "format"},  // 17 characters
		{"9111000060003734IL", "format"}, // I is not in the alphabet
		{"91110000600037341l", "format"}, // lower case
		{"", "format"},
	}
	for _, c := range cases {
		if got := Problem(c.code); got != c.want {
			t.Errorf("Problem(%q) = %q, want %q", c.code, got, c.want)
		}
	}
}

func TestCompleteRoundTrip(t *testing.T) {
	for _, body := range []string{"91310000MA1FL0000", "12100000400000000", "93440300MA5D00001"} {
		code := Complete(body)
		if !Valid(code) {
			t.Errorf("Complete(%q) = %q is not valid", body, code)
		}
	}
	if Complete("short") != "" {
		t.Error("Complete accepted a short body")
	}
}
