package http

import "github.com/jinguan-customs/jinguan/ecommerce"

var _ = schemaTypes(map[string]any{
	"CbecReceipt": ecommerce.Receipt{}, "CbecList": ecommerce.ListRow{}, "CbecListView": ecommerce.ListView{},
	"CbecDecision": ecommerce.ListDoc{}, "CbecTaxBill": ecommerce.TaxBill{}, "CbecTaxItem": ecommerce.TaxItem{},
	"CbecReason": ecommerce.Reason{}, "CbecHit": ecommerce.Hit{}, "CbecTaxPeriod": ecommerce.TaxPeriod{},
	"CbecDecisionInput": cbecDecisionInput{},
	"CbecOrder":         ecommerce.Order{}, "CbecOrderHead": ecommerce.OrderHead{}, "CbecOrderItem": ecommerce.OrderItem{},
	"CbecPayment": ecommerce.Payment{}, "CbecPaymentHead": ecommerce.PaymentHead{},
	"CbecWaybill": ecommerce.Waybill{}, "CbecWaybillHead": ecommerce.WaybillHead{},
	"CbecInventory": ecommerce.Inventory{}, "CbecInventoryHead": ecommerce.InventoryHead{}, "CbecInventoryItem": ecommerce.InventoryItem{},
})
