package http

// Console strings of the credit pages (企业信用管理), Chinese and English.
var _ = addMessages(map[string][2]string{
	"role.credit_officer": {"企业管理", "Credit officer"},
})
