package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
)

func TestUsersAdd(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := usersCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append(args, "--data", dir))
		err := cmd.Execute()
		return out.String(), err
	}
	out, err := run("add", "--name", "officer.chen", "--role", "officer", "--office", "2200")
	if err != nil {
		t.Fatal(err, out)
	}
	fields := strings.Fields(out)
	if len(fields) != 3 || !strings.HasPrefix(fields[2], "jg_") {
		t.Fatalf("output %q", out)
	}
	a, err := app.Open(context.Background(), app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, err := a.Users.UserByTokenHash(context.Background(), auth.HashToken(fields[2]))
	if err != nil || u.Name != "officer.chen" || u.Role != auth.RoleOfficer || u.Office != "2200" {
		t.Fatalf("stored user %+v, %v", u, err)
	}
	for _, bad := range [][]string{
		{"add", "--name", "x", "--role", "king"},
		{"add", "--name", "x", "--role", "declarant", "--enterprise", "91350100M000100Y44"},
		{"add", "--role", "admin"},
		{"add", "--name", "x", "--role", "officer", "--office", "22"},
	} {
		if _, err := run(bad...); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}
