package http

// Console strings of the credit measures where they apply: the risk
// decision, the officers' queues and the settlement of taxes.
var _ = addMessages(map[string][2]string{
	"rd.m.checks":             {"查验、稽查 ", "inspection and audit "},
	"rd.m.review":             {"审单 ", "document review "},
	"queue.priority":          {"优先", "Priority"},
	"queue.priority.hint":     {"收发货人信用等级享受优先办理，排在审单、查验队列前列", "The trader's credit grade earns priority handling: first in the review and inspection queues"},
	"field.order":             {"排序", "Order"},
	"order.newest":            {"最新在前", "Newest first"},
	"settle.guarantee_exempt": {"免担保放行（企业信用）", "Released on exemption from guarantee (credit)"},
	"set.measure":             {"信用措施", "Credit measure"},
	"set.secured":             {"担保扣减", "debited from the guarantee"},
	"set.consolidated":        {"汇总征税", "consolidated monthly payment"},
	"set.refused":             {"未适用的措施", "Measure not applied"},
	"guarantee.specific":      {"逐票担保（仅担保该税单）", "Specific guarantee (this bill only)"},
	"order.priority":          {"优先办理在前（待办队列）", "Priority first (work queue)"},
})
