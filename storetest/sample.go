package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// Parties and codes the samples cycle through; the moduli differ so that
// filters combine in many ways over a few dozen declarations.
var (
	Traders = []string{"91310115MA1K4LXQ2B", "91440300MA5FAB3C7N", "91110105MA01RQ8X4F"}
	Owners  = []string{"91320594MA1MDE4R6U", "91310115MA1K4LXQ2B", "91330206MA2CJ7W10P", "91440300MA5FAB3C7N"}
	Agents  = []string{"91310000607231258K", "91440300192185379H"}
	Offices = []string{"2201", "5301", "0101", "2244", "5316"}
	Lanes   = []declaration.Lane{declaration.LaneNone, declaration.LaneGreen, declaration.LaneYellow,
		declaration.LaneRed, declaration.LaneGreen, declaration.LaneBlue}

	goods = []struct{ code, name, model, unit, price string }{
		{"8471300000", "笔记本电脑", "0|0|无品牌|ThinkPad X1|14英寸", "001", "1234.5600"},
		{"8517130000", "智能手机", "0|0|Apple|iPhone 16|128GB", "001", "699.00"},
		{"6109100022", "棉制针织T恤衫", "0|0|针织|100%棉|男式", "011", "3.25"},
		{"0306171100", "冻南美白对虾", "0|0|冷冻|去头|41-50只/磅", "035", "7.8000"},
		{"3004909099", "布洛芬缓释胶囊", "0|0|0.3g*20粒|片剂", "011", "12.40"},
		{"9018390000", "一次性输液器", "0|0|医用|无菌", "011", "0.1950"},
		{"8471410000", "工控机", "0|0|研华|IPC-610", "001", "880"},
	}
	base = time.Date(2025, 3, 3, 9, 30, 0, 0, jinguan.China)
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// DeclaredAt is sample i's submission time: seven hours apart, in Beijing
// time, so that UTC storage is exercised.
func DeclaredAt(i int) time.Time { return base.Add(time.Duration(i) * 7 * time.Hour) }

// Decl builds submitted declaration i with every Form field filled and
// five items; i determines all values, ClientKey included.
func Decl(i int) *declaration.Declaration {
	ie := "I"
	if i%2 == 1 {
		ie = "E"
	}
	h := declaration.Head{
		CustomMaster: Offices[i%len(Offices)], IEPort: "2248", IEFlag: ie, IEDate: DeclaredAt(i).Format(time.DateOnly),
		TradeCoScc: Traders[i%len(Traders)], TradeName: fmt.Sprintf("上海新锐电子贸易有限公司%d", i%len(Traders)),
		OwnerCodeScc: Owners[i%len(Owners)], OwnerName: "苏州工业园区精密制造有限公司",
		AgentCodeScc: Agents[i%len(Agents)], AgentName: "中外运报关有限公司",
		TradeMode: "0110", CutMode: "101", TrafMode: "2", TrafName: "COSCO SHIPPING TAURUS", VoyageNo: "047E",
		BillNo: fmt.Sprintf("COSU62%08d", 1000+i), TransMode: "1",
		Fee:           &declaration.Charge{Mark: "3", Rate: dec("1500.00"), Currency: "USD"},
		Insur:         &declaration.Charge{Mark: "1", Rate: dec("0.3000")},
		Other:         &declaration.Charge{Mark: "3", Rate: dec("120.5"), Currency: "CNY"},
		TradeAreaCode: "USA", TradeCountry: "USA", DistinatePort: "USLAX", DespPortCode: "USLAX", EntyPortCode: "310001",
		PackNo: 42 + i, WrapType: "22", GrossWet: dec("1234.5600"), NetWt: dec("1180.0250"),
		ManualNo: "C22012400123", PromiseItems: "00090", DeclType: "0", NoteS: "合同号 HT-2025-0117",
	}
	var items []declaration.Item
	for g := 1; g <= 5; g++ {
		p := goods[(i+g*(1+i%3))%len(goods)]
		qty := dec(fmt.Sprint(10 * g))
		second := dec("3.5")
		items = append(items, declaration.Item{
			GNo: g, CodeTS: p.code, CiqCode: "999", GName: p.name, GModel: p.model,
			GQty: qty, GUnit: p.unit, FirstQty: qty, FirstUnit: p.unit, SecondQty: &second, SecondUnit: "035",
			DeclPrice: dec(p.price), DeclTotal: qty.Mul(dec(p.price)), TradeCurr: "USD",
			OriginCountry: "USA", DestinationCountry: "CHN", DistrictCode: "31222", DutyMode: "1",
			ContrItem: fmt.Sprint(g), Agreement: "",
		})
	}
	form := declaration.Form{
		Head: h, Items: items,
		Containers: []declaration.Container{{ContainerID: "CSQU3054383", ContainerMd: "22", GoodsNo: []int{1, 2, 3},
			LclFlag: "0", ContainerWt: dec("2200.0")}},
		Documents: []declaration.Document{{EdocCode: "00000001", EdocID: fmt.Sprintf("INV-2025-%05d", i), Name: "发票.pdf"}},
		Licences:  []declaration.Licence{{DocuCode: "A", CertCode: fmt.Sprintf("2201202500%08d", i)}},
	}
	body := sha256.Sum256([]byte(fmt.Sprint("body", i)))
	at := DeclaredAt(i)
	return &declaration.Declaration{
		Status: declaration.StatusSubmitted, Lane: Lanes[i%len(Lanes)], Version: 1,
		ClientKey: fmt.Sprintf("ck-%06d", i), BodyHash: hex.EncodeToString(body[:]),
		Submitter: "decl.zhang", DeclaredAt: at, UpdatedAt: at, Form: form,
	}
}

// Assess fills what the pipeline decides: risk, inspection, tax and
// settlement, with times in Beijing time.
func Assess(d *declaration.Declaration) *declaration.Declaration {
	at := d.DeclaredAt.Add(90 * time.Second)
	d.Lane = declaration.LaneRed
	d.Risk = &declaration.RiskDecision{
		Lane: declaration.LaneRed, Stream: "targeted", Draw: 0.73125, Office: d.Head.CustomMaster, Direction: d.Head.IEFlag,
		Rates:   map[declaration.Lane]string{declaration.LaneGreen: "0.90", declaration.LaneYellow: "0.07", declaration.LaneRed: "0.03"},
		RuleSet: "2201/I/2025-01", ReasonZH: "命中布控规则", ReasonEN: "matched a risk profile",
		Hits:      []declaration.ProfileHit{{ProfileID: "P-2025-0042", Version: 3, Values: map[string]string{"code_ts": "8471300000"}}},
		DecidedAt: at, DecidedBy: "system",
	}
	d.Inspection = &declaration.InspectionResult{Outcome: "finding", Officer: "officer.li", RecordedAt: at.Add(time.Hour),
		Findings: []declaration.Finding{{GNo: 2, Kind: "quantity", Note: "实际数量 18"}}, Note: "开箱查验"}
	d.Tax = &declaration.TaxAssessment{
		Method: "ad_valorem", Duty: dec("1017.3300"), VAT: dec("21459.27"), Total: dec("22476.6000"),
		Rates: map[string]string{"USD": "7.1884"}, AssessedAt: at.Add(2 * time.Hour),
		Items: []declaration.ItemTax{{GNo: 1, CodeTS: d.Items[0].CodeTS, CustomsValue: dec("88741.12"),
			DutyRate: dec("0.0"), DutyRule: "MFN", Duty: dec("0"), VATRate: dec("0.13"), VAT: dec("11536.35")}},
	}
	d.Settlement = &declaration.Settlement{Kind: "paid", Amount: dec("22476.60"), Reference: "PAY-5301-000017",
		At: at.Add(3 * time.Hour), By: "bank.icbc"}
	d.Amendments, d.LateDays, d.Version = 1, 2, 6
	d.Status = declaration.StatusPaid
	return d
}

// Event is the submit event of a declaration.
func Event(d *declaration.Declaration) declaration.Event {
	return declaration.Event{DeclarationID: d.ID, Seq: 1, Action: declaration.ActSubmit, To: declaration.StatusSubmitted,
		Actor: d.Submitter, Role: "declarant", At: d.DeclaredAt, Data: []byte(`{"client_key":"` + d.ClientKey + `"}`)}
}
