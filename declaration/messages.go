package declaration

// messages holds the Chinese and English text of every validation code.
// Codes are stable API; texts may improve.
var messages = map[string][2]string{
	"required":                {"必填项缺失", "is required"},
	"format":                  {"格式错误，应为：%s", "is malformed; expected %s"},
	"too_long":                {"长度不能超过 %d 个字符", "must be at most %d characters"},
	"one_of":                  {"取值应为 %s 之一", "must be one of %s"},
	"not_positive":            {"必须大于零", "must be greater than zero"},
	"too_many_decimals":       {"小数位不能超过 %d 位", "must have at most %d decimals"},
	"unknown_code":            {"代码 %s 在 %s 代码表中不存在或于 %s 无效", "code %s does not exist in table %s or is not valid on %s"},
	"uscc_check":              {"统一社会信用代码校验位错误", "the unified social credit code's check character is wrong"},
	"bill_required":           {"运输方式 %s 须填写提运单号", "transport mode %s requires a bill of lading number"},
	"freight_required":        {"成交方式 %s 须申报运费", "transaction terms %s require freight to be declared"},
	"insurance_required":      {"成交方式 %s 须申报保费", "transaction terms %s require insurance to be declared"},
	"currency_with_rate":      {"按费率申报时不填币制", "no currency may be given with a rate mark"},
	"rate_over_100":           {"费率不能超过 100%%", "a rate cannot exceed 100%%"},
	"net_exceeds_gross":       {"净重 %s 大于毛重 %s", "net weight %s exceeds gross weight %s"},
	"ledger_required":         {"监管方式 %s 须填写备案号（手册/账册）", "trade mode %s requires a handbook or ledger number"},
	"contr_item_required":     {"填写备案号时须填写备案序号", "an item needs its ledger item number when a ledger is declared"},
	"import_abandoned":        {"自运输工具申报进境之日起超过 %d 日未申报，货物应由海关提取变卖", "more than %d days since arrival: the goods fall to be sold by customs"},
	"export_too_late":         {"出口货物应在装货 %d 小时前申报", "exports must be declared at least %d hours before loading"},
	"too_many_items":          {"商品项数不能超过 %d 项", "a declaration may have at most %d items"},
	"item_number":             {"项号应为 %d（从 1 起连续编号）", "item number must be %d (numbered from 1 without gaps)"},
	"total_mismatch":          {"总价 %s 与数量×单价 %s 不符", "total %s differs from quantity × unit price %s"},
	"unknown_tariff_line":     {"商品编号 %s 在申报日的税则中不存在", "commodity code %s is not a tariff line on the declaration date"},
	"legal_unit_mismatch":     {"法定计量单位应为 %s（商品编号 %s）", "the legal unit must be %s for commodity code %s"},
	"second_unit_required":    {"须申报法定第二计量单位 %s（商品编号 %s）", "second legal unit %s is required for commodity code %s"},
	"second_unit_not_allowed": {"商品编号 %s 无法定第二计量单位", "commodity code %s has no second legal unit"},
	"container_check":         {"集装箱号格式或校验位错误（ISO 6346）", "container number is malformed or its check digit is wrong (ISO 6346)"},
	"duplicate":               {"重复", "is a duplicate"},
	"unknown_item":            {"商品项号 %d 不存在", "item number %d does not exist"},
}
