package declaration

import (
	"strconv"

	"github.com/jinguan-customs/jinguan/refdata"
)

func (c *check) items(f *Form) {
	if len(f.Items) == 0 {
		c.add("/items", "required")
		return
	}
	if len(f.Items) > c.v.Rules.MaxItems {
		c.add("/items", "too_many_items", c.v.Rules.MaxItems)
		return
	}
	ledger := f.Head.ManualNo != ""
	for i := range f.Items {
		c.item(&f.Items[i], i, ledger)
	}
}

func (c *check) item(it *Item, i int, ledger bool) {
	p := "/items/" + strconv.Itoa(i)
	if it.GNo != i+1 {
		c.add(p+"/g_no", "item_number", i+1)
	}
	c.pattern(p+"/ciq_code", it.CiqCode, reDigits3, false, "3 digits")
	c.text(p+"/g_name", it.GName, 255, true)
	c.text(p+"/g_model", it.GModel, 255, true)

	c.code(p+"/g_unit", it.GUnit, refdata.Unit, true)
	qty := c.positive(p+"/g_qty", it.GQty, 5)
	price := c.positive(p+"/decl_price", it.DeclPrice, 4)
	total := c.positive(p+"/decl_total", it.DeclTotal, 2)
	if qty && price && total {
		c.total(p, it)
	}
	c.code(p+"/trade_curr", it.TradeCurr, refdata.Currency, true)
	c.code(p+"/origin_country", it.OriginCountry, refdata.Country, true)
	c.code(p+"/destination_country", it.DestinationCountry, refdata.Country, true)
	c.pattern(p+"/district_code", it.DistrictCode, reDigits5, false, "5 digits")
	c.code(p+"/duty_mode", it.DutyMode, refdata.ExemptionMethod, true)
	c.pattern(p+"/agreement", it.Agreement, reAgree, false, "1–10 upper-case letters or digits")
	if ledger && it.ContrItem == "" {
		c.add(p+"/contr_item", "contr_item_required")
	}
	c.text(p+"/contr_item", it.ContrItem, 19, false)
	c.legalUnits(p, it)
}

// total checks decl_total ≈ g_qty × decl_price within the tolerance.
func (c *check) total(p string, it *Item) {
	want := it.GQty.Mul(it.DeclPrice)
	tol := it.DeclTotal.Mul(c.v.Rules.TotalToleranceRatio)
	if tol.LessThan(c.v.Rules.TotalToleranceAbs) {
		tol = c.v.Rules.TotalToleranceAbs
	}
	if want.Sub(it.DeclTotal).Abs().GreaterThan(tol) {
		c.add(p+"/decl_total", "total_mismatch", it.DeclTotal, want.Round(2))
	}
}

// legalUnits checks the commodity code and that the legal units and
// quantities follow its tariff line.
func (c *check) legalUnits(p string, it *Item) {
	c.code(p+"/first_unit", it.FirstUnit, refdata.Unit, true)
	c.positive(p+"/first_qty", it.FirstQty, 5)
	if it.SecondUnit != "" {
		c.code(p+"/second_unit", it.SecondUnit, refdata.Unit, false)
	}
	if it.CodeTS == "" {
		c.add(p+"/code_ts", "required")
		return
	}
	if !reCodeTS.MatchString(it.CodeTS) {
		c.add(p+"/code_ts", "format", "10 digits")
		return
	}
	first, second, ok := c.v.Tariff.LegalUnits(it.CodeTS, c.on)
	if !ok {
		c.add(p+"/code_ts", "unknown_tariff_line", it.CodeTS)
		return
	}
	if it.FirstUnit != "" && it.FirstUnit != first {
		c.add(p+"/first_unit", "legal_unit_mismatch", first, it.CodeTS)
	}
	switch {
	case second == "" && (it.SecondUnit != "" || it.SecondQty != nil):
		c.add(p+"/second_unit", "second_unit_not_allowed", it.CodeTS)
	case second != "" && it.SecondUnit == "":
		c.add(p+"/second_unit", "second_unit_required", second, it.CodeTS)
	case second != "" && it.SecondUnit != second:
		c.add(p+"/second_unit", "legal_unit_mismatch", second, it.CodeTS)
	case second != "" && it.SecondQty == nil:
		c.add(p+"/second_qty", "required")
	case second != "":
		c.positive(p+"/second_qty", *it.SecondQty, 5)
	}
}

func (c *check) containers(f *Form) {
	seen := map[string]bool{}
	for i, ct := range f.Containers {
		p := "/containers/" + strconv.Itoa(i)
		switch {
		case ct.ContainerID == "":
			c.add(p+"/container_id", "required")
		case !ContainerIDValid(ct.ContainerID):
			c.add(p+"/container_id", "container_check")
		case seen[ct.ContainerID]:
			c.add(p+"/container_id", "duplicate")
		}
		seen[ct.ContainerID] = true
		c.pattern(p+"/container_md", ct.ContainerMd, reCtnMd, false, "1–4 letters or digits")
		if ct.LclFlag != "" && ct.LclFlag != "0" && ct.LclFlag != "1" {
			c.add(p+"/lcl_flag", "one_of", "0, 1")
		}
		for j, g := range ct.GoodsNo {
			if g < 1 || g > len(f.Items) {
				c.add(p+"/goods_no/"+strconv.Itoa(j), "unknown_item", g)
			}
		}
	}
}

// ContainerIDValid checks an ISO 6346 container number: owner code (3
// letters), category (U, J or Z), 6-digit serial and check digit.
func ContainerIDValid(id string) bool {
	if len(id) != 11 {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		ch := id[i]
		var v int
		switch {
		case i < 4 && ch >= 'A' && ch <= 'Z':
			if i == 3 && ch != 'U' && ch != 'J' && ch != 'Z' {
				return false
			}
			// A=10 … Z=38, skipping multiples of 11.
			v = int(ch-'A') + 10
			v += (v - 1) / 10
		case i >= 4 && ch >= '0' && ch <= '9':
			v = int(ch - '0')
		default:
			return false
		}
		sum += v << i
	}
	check := sum % 11 % 10
	return id[10] == byte('0'+check)
}
