package http

// Console strings of the post-clearance audit (稽查), Chinese and English.
var _ = addMessages(map[string][2]string{
	"status.audited":      {"已稽查", "Audited"},
	"action.record_audit": {"录入稽查结果", "Audit result"},
	"btn.record_audit":    {"录入稽查结果", "Record audit result"},
	"detail.audit":        {"放行后稽查", "Post-clearance audit"},
	"detail.audit_by_other": {"选查处分离：本单须由未参与布控、查验或放行的关员稽查。",
		"Separation of duties: an officer who did not select, inspect or release this declaration audits it."},
	"eff.stream.audit":     {"稽查（蓝色通道）", "Audit (blue lane)"},
	"audit.bill":           {"补税税单", "Supplementary bill"},
	"audit.pending.blue":   {"蓝色通道：已放行，待稽查。", "Blue lane: released, waiting for the audit."},
	"audit.pending":        {"已放行；关员可选择本单进行稽查。", "Released; an officer may select it for audit."},
	"audits.title":         {"稽查（放行后）", "Post-release audit"},
	"audits.intro":         {"蓝色通道的报关单放行后进入稽查队列；稽查发现的补征税款开具补税税单，结果反馈布控成效和企业信用。其他已放行的报关单也可由关员选择稽查。", "Blue-lane declarations join the audit queue once released; additional duty an audit finds raises a supplementary bill, and the results feed targeting effectiveness and enterprise credit. Officers may audit any other released declaration too."},
	"audits.pending":       {"待稽查（蓝色通道）", "Waiting (blue lane)"},
	"audits.audited":       {"已稽查", "Audited"},
	"audits.state":         {"稽查状态", "Audit"},
	"audits.state.pending": {"待稽查", "Waiting"},
	"audits.state.audited": {"已稽查", "Audited"},
	"audits.none.pending":  {"没有待稽查的报关单。", "No declaration waits for an audit."},
	"audits.none.audited":  {"尚无稽查结果。", "No audit recorded yet."},
})
