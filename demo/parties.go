// Package demo seeds demonstration data and generates synthetic but
// realistic traffic: enterprises, users, and declarations that pass
// validation against the reference tables and the sample tariff schedule.
package demo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/uscc"
)

// User is a demo account and its bearer token.
type User struct {
	Name       string    `json:"name"`
	Role       auth.Role `json:"role"`
	Enterprise string    `json:"enterprise,omitempty"`
	Office     string    `json:"office,omitempty"`
	Token      string    `json:"token"`
}

// Principal is the user as the services see it.
func (u User) Principal() auth.Principal {
	return auth.Principal{User: u.Name, Role: u.Role, Enterprise: u.Enterprise, Office: u.Office}
}

// party describes a demo enterprise: region code (6 digits of the credit
// code), customs district, names and whether it is a broker.
type party struct {
	region, customs, zh, en string
	broker, guarantee       bool
}

var parties = []party{
	{"310115", "2200", "上海浦江报关有限公司", "Shanghai Pujiang Customs Brokerage Co., Ltd.", true, false},
	{"440300", "5300", "深圳前海通关服务有限公司", "Shenzhen Qianhai Clearance Services Co., Ltd.", true, false},
	{"110105", "0100", "北京京关报关有限公司", "Beijing Jingguan Customs Brokerage Co., Ltd.", true, false},
	{"310115", "2200", "上海东方电子进出口有限公司", "Shanghai Dongfang Electronics Import & Export Co., Ltd.", false, true},
	{"310104", "2200", "上海华美化妆品贸易有限公司", "Shanghai Huamei Cosmetics Trading Co., Ltd.", false, false},
	{"440300", "5300", "深圳南山智能科技有限公司", "Shenzhen Nanshan Smart Technology Co., Ltd.", false, true},
	{"440304", "5300", "深圳福田服装进出口有限公司", "Shenzhen Futian Garments Import & Export Co., Ltd.", false, false},
	{"110105", "0100", "北京朝阳食品贸易有限公司", "Beijing Chaoyang Food Trading Co., Ltd.", false, true},
	{"120116", "0200", "天津滨海汽车配件有限公司", "Tianjin Binhai Auto Parts Co., Ltd.", false, false},
	{"370212", "4200", "青岛港湾机械设备有限公司", "Qingdao Harbour Machinery Co., Ltd.", false, true},
	{"440106", "5100", "广州天河玩具有限公司", "Guangzhou Tianhe Toys Co., Ltd.", false, false},
	{"330206", "3100", "宁波北仑钢材贸易有限公司", "Ningbo Beilun Steel Trading Co., Ltd.", false, true},
	{"320594", "2300", "苏州工业园区精密仪器有限公司", "Suzhou Industrial Park Precision Instruments Co., Ltd.", false, false},
	{"350206", "3700", "厦门海沧酒业有限公司", "Xiamen Haicang Wine Co., Ltd.", false, true},
}

// Enterprises returns the demo enterprises with valid credit codes.
func Enterprises() []enterprise.Enterprise {
	out := make([]enterprise.Enterprise, len(parties))
	for i, p := range parties {
		roles := []string{"consignee"}
		if p.broker {
			roles = []string{"broker"}
		}
		out[i] = enterprise.Enterprise{
			SCC: creditCode(p.region, i), NameZH: p.zh, NameEN: p.en, Roles: roles, Customs: p.customs,
			Guarantee: p.guarantee, RegisteredAt: time.Date(2015+i%8, time.Month(1+i%12), 1+i, 0, 0, 0, 0, time.UTC),
		}
	}
	return out
}

// GuaranteeAccounts returns the demo traders' guarantee accounts: every
// other guaranteed trader pays monthly on a consolidated account (汇总征税),
// the others hold a plain general guarantee; one balance is small enough
// to run out, so some of that trader's declarations wait for payment.
func GuaranteeAccounts(ents []enterprise.Enterprise) []enterprise.GuaranteeAccount {
	var out []enterprise.GuaranteeAccount
	n := 0
	for i, p := range parties {
		if !p.guarantee {
			continue
		}
		a := enterprise.GuaranteeAccount{ID: fmt.Sprintf("GA%s%03d", p.customs, i), SCC: ents[i].SCC,
			Kind: enterprise.GuaranteeBankLetter, Consolidated: n%2 == 0, Amount: decimal.NewFromInt(20_000_000),
			ValidFrom: "2025-01-01"}
		switch n {
		case 1:
			a.Kind, a.Amount = enterprise.GuaranteeInsurance, decimal.NewFromInt(300_000)
		case 4:
			a.Kind = enterprise.GuaranteeDeposit
		}
		out = append(out, a)
		n++
	}
	return out
}

// creditCode builds "91" (enterprise, company) + region + a 9-character
// organisation code + check character.
func creditCode(region string, i int) string {
	return uscc.Complete(fmt.Sprintf("91%sMA%06dX", region, 100000+i*7919)[:17])
}

// Users returns the demo accounts. Tokens are derived from the data
// folder's secret, so they are stable across restarts but not guessable.
func Users(secret []byte, ents []enterprise.Enterprise) []User {
	tok := func(name string) string {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(name))
		return "jg_" + hex.EncodeToString(m.Sum(nil))[:32]
	}
	us := []User{
		{Name: "admin", Role: auth.RoleAdmin},
		{Name: "officer.wang", Role: auth.RoleOfficer, Office: "0000"},
		{Name: "officer.li", Role: auth.RoleOfficer, Office: "0000"},
		{Name: "analyst.zhao", Role: auth.RoleRiskAnalyst, Office: "2200"},
		{Name: "credit.chen", Role: auth.RoleCreditOfficer, Office: "0000"}, // 企业管理, national
		{Name: "credit.xu", Role: auth.RoleCreditOfficer, Office: "5300"},   // 企业管理, Shenzhen district
	}
	for i, e := range ents {
		if parties[i].broker {
			us = append(us, User{Name: "broker." + e.SCC[2:8], Role: auth.RoleDeclarant, Enterprise: e.SCC})
		} else {
			us = append(us, User{Name: "trader." + e.SCC[2:8] + fmt.Sprint(i), Role: auth.RoleDeclarant, Enterprise: e.SCC})
		}
	}
	for i := range us {
		us[i].Token = tok(us[i].Name)
	}
	return us
}

// Brokers and traders split the demo enterprises by role.
func isBroker(e enterprise.Enterprise) bool { return len(e.Roles) > 0 && e.Roles[0] == "broker" }

// latePayers are the demo traders who pay their bills only after they
// fall due, with the late fee (indexes into parties).
var latePayers = map[int]bool{4: true, 7: true, 10: true}

// PaysLate reports whether the demo trader scc pays late by habit.
func PaysLate(scc string) bool {
	for i, p := range parties {
		if latePayers[i] && creditCode(p.region, i) == scc {
			return true
		}
	}
	return false
}
