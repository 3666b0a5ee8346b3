package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/enterprise"
)

func testUsers(t *testing.T, s Stores) {
	ctx := context.Background()
	created := time.Date(2025, 1, 6, 10, 0, 0, 123456000, jinguan.China)
	u := auth.User{Name: "decl.zhang", Role: auth.RoleDeclarant, Enterprise: Agents[0],
		TokenHash: auth.HashToken("tok-zhang"), CreatedAt: created}
	o := auth.User{Name: "officer.li", Role: auth.RoleOfficer, Office: "2201",
		TokenHash: auth.HashToken("tok-li"), CreatedAt: created}
	for _, x := range []auth.User{u, o} {
		if err := s.Users.PutUser(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	same := func(got, want auth.User) {
		t.Helper()
		if got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("created at %v, want %v", got.CreatedAt, want.CreatedAt)
		}
		got.CreatedAt = want.CreatedAt
		if got != want {
			t.Errorf("user %+v, want %+v", got, want)
		}
	}
	got, err := s.Users.UserByTokenHash(ctx, u.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	same(got, u)
	_, err = s.Users.UserByTokenHash(ctx, auth.HashToken("nobody"))
	wantCode(t, err, jinguan.ENOTFOUND)

	// Replacing a user rotates the token.
	u.TokenHash, u.Role, u.Enterprise = auth.HashToken("tok-zhang-2"), auth.RoleAdmin, ""
	if err := s.Users.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	_, err = s.Users.UserByTokenHash(ctx, auth.HashToken("tok-zhang"))
	wantCode(t, err, jinguan.ENOTFOUND)
	got, err = s.Users.UserByTokenHash(ctx, u.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	same(got, u)

	// A token hash belongs to one user.
	o.TokenHash = u.TokenHash
	wantCode(t, s.Users.PutUser(ctx, o), jinguan.ECONFLICT)
}

func testEnterprises(t *testing.T, s Stores) {
	ctx := context.Background()
	reg := time.Date(2019, 4, 1, 0, 0, 0, 0, jinguan.China)
	es := []enterprise.Enterprise{
		{SCC: Traders[1], NameZH: "深圳前海跨境供应链有限公司", NameEN: "Shenzhen Qianhai Cross-border Supply Chain Co., Ltd.",
			Roles: []string{"consignee", "consignor"}, Customs: "5301", Guarantee: true, RegisteredAt: reg, Status: enterprise.StatusActive},
		{SCC: Agents[0], NameZH: "中外运报关有限公司", NameEN: "Sinotrans Customs Brokerage Co., Ltd.",
			Roles: []string{"broker"}, Customs: "2201", RegisteredAt: reg.AddDate(1, 0, 0), Status: enterprise.StatusActive},
		{SCC: Traders[0], NameZH: "上海新锐电子贸易有限公司", NameEN: "Shanghai Xinrui Electronics Trading Co., Ltd.",
			Roles: []string{"consignee"}, Customs: "2201", RegisteredAt: reg.AddDate(0, 3, 0), Status: enterprise.StatusActive},
	}
	for _, e := range es {
		if err := s.Enterprises.PutEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	same := func(got, want enterprise.Enterprise) {
		t.Helper()
		if got.RegisteredAt.Location() != time.UTC || !got.RegisteredAt.Equal(want.RegisteredAt) {
			t.Errorf("registered at %v, want %v", got.RegisteredAt, want.RegisteredAt)
		}
		got.RegisteredAt = want.RegisteredAt
		if !reflect.DeepEqual(got, want) {
			t.Errorf("enterprise\n got %+v\nwant %+v", got, want)
		}
	}
	got, err := s.Enterprises.Enterprise(ctx, Traders[1])
	if err != nil {
		t.Fatal(err)
	}
	same(got, es[0])
	_, err = s.Enterprises.Enterprise(ctx, "91000000000000000X")
	wantCode(t, err, jinguan.ENOTFOUND)

	es[0].Guarantee, es[0].Roles, es[0].Customs = false, []string{"consignee"}, "5316"
	if err := s.Enterprises.PutEnterprise(ctx, es[0]); err != nil {
		t.Fatal(err)
	}
	all, err := s.Enterprises.ListEnterprises(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("list %v %v", all, err)
	}
	// Ordered by SCC.
	for i, want := range []enterprise.Enterprise{es[1], es[2], es[0]} {
		same(all[i], want)
	}
}
