package http

// Console strings of the credit measures where they apply: the risk
// decision, the officers' queues and the settlement of taxes.
var _ = addMessages(map[string][2]string{
	"rd.m.checks":    {"查验、稽查 ", "inspection and audit "},
	"rd.m.review":    {"审单 ", "document review "},
	"queue.priority": {"优先", "Priority"},
})
