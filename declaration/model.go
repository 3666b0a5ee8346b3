// Package declaration owns the goods declaration (报关单): its fields,
// validation, lifecycle and the pipeline that takes it from submission to
// release. JSON names are snake_case forms of the Single Window field codes;
// docs/declaration-fields.md maps each one.
package declaration

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Form is what a declarant submits: the header (表头) and its child tables.
type Form struct {
	Head       Head        `json:"head"`
	Items      []Item      `json:"items"`
	Containers []Container `json:"containers,omitempty"`
	Documents  []Document  `json:"documents,omitempty"`
	Licences   []Licence   `json:"licences,omitempty"`
}

// Head is the declaration header. Codes refer to the reference tables.
type Head struct {
	CustomMaster string `json:"custom_master"`     // CustomMaster 申报地海关 (4)
	IEPort       string `json:"ie_port"`           // IEPort 进出境关别 (4)
	IEFlag       string `json:"ie_flag"`           // IEFlag I import / E export
	IEDate       string `json:"ie_date,omitempty"` // IEDate 进出口日期 YYYY-MM-DD: arrival (I) or departure (E)

	TradeCoScc   string `json:"trade_co_scc"`             // TradeCoScc 境内收发货人 USCC
	TradeName    string `json:"trade_name"`               // TradeName
	OwnerCodeScc string `json:"owner_code_scc,omitempty"` // OwnerCodeScc 消费使用/生产销售单位
	OwnerName    string `json:"owner_name,omitempty"`     // OwnerName
	AgentCodeScc string `json:"agent_code_scc"`           // AgentCodeScc 申报单位
	AgentName    string `json:"agent_name"`               // AgentName

	TradeMode string `json:"trade_mode"`          // TradeMode 监管方式 (4)
	CutMode   string `json:"cut_mode,omitempty"`  // CutMode 征免性质 (3)
	TrafMode  string `json:"traf_mode"`           // TrafMode 运输方式 (1)
	TrafName  string `json:"traf_name,omitempty"` // TrafName 运输工具名称
	VoyageNo  string `json:"voyage_no,omitempty"` // VoyageNo 航次号
	BillNo    string `json:"bill_no,omitempty"`   // BillNo 提运单号 (≤32)
	TransMode string `json:"trans_mode"`          // TransMode 成交方式 (1)

	Fee   *Charge `json:"fee,omitempty"`   // FeeMark/FeeRate/FeeCurr 运费
	Insur *Charge `json:"insur,omitempty"` // InsurMark/InsurRate/InsurCurr 保费
	Other *Charge `json:"other,omitempty"` // OtherMark/OtherRate/OtherCurr 杂费

	TradeAreaCode string `json:"trade_area_code"`          // TradeAreaCode 贸易国（地区）
	TradeCountry  string `json:"trade_country"`            // TradeCountry 启运国/运抵国
	DistinatePort string `json:"distinate_port,omitempty"` // DistinatePort 经停港/指运港
	DespPortCode  string `json:"desp_port_code,omitempty"` // DespPortCode 启运港
	EntyPortCode  string `json:"enty_port_code,omitempty"` // EntyPortCode 入境口岸/离境口岸

	PackNo   int             `json:"pack_no"`             // PackNo 件数
	WrapType string          `json:"wrap_type,omitempty"` // WrapType 包装种类
	GrossWet decimal.Decimal `json:"gross_wet"`           // GrossWet 毛重 kg
	NetWt    decimal.Decimal `json:"net_wt"`              // NetWt 净重 kg

	ManualNo     string `json:"manual_no,omitempty"`     // ManualNo 备案号 (12, processing trade)
	PromiseItems string `json:"promise_items,omitempty"` // PromiseItmes 价格说明: 5 flags of 0/1/9
	DeclType     string `json:"decl_type,omitempty"`     // Type 单据类型
	NoteS        string `json:"note_s,omitempty"`        // NoteS 备注
}

// Charge is a freight, insurance or other-cost entry: mark 1 = rate (%),
// 2 = amount per unit (per tonne for freight), 3 = total amount.
type Charge struct {
	Mark     string          `json:"mark"`
	Rate     decimal.Decimal `json:"rate"`
	Currency string          `json:"currency,omitempty"`
}

// Item is one line of goods (表体).
type Item struct {
	GNo     int    `json:"g_no"`               // GNo 项号
	CodeTS  string `json:"code_ts"`            // CodeTS 商品编号 (10)
	CiqCode string `json:"ciq_code,omitempty"` // CiqCode 检验检疫编码 (3)
	GName   string `json:"g_name"`             // GName 商品名称
	GModel  string `json:"g_model"`            // GModel 规格型号 (申报要素)

	GQty       decimal.Decimal  `json:"g_qty"`                 // GQty 成交数量
	GUnit      string           `json:"g_unit"`                // GUnit 成交单位
	FirstQty   decimal.Decimal  `json:"first_qty"`             // FirstQty 法定第一数量
	FirstUnit  string           `json:"first_unit"`            // FirstUnit
	SecondQty  *decimal.Decimal `json:"second_qty,omitempty"`  // SecondQty 法定第二数量
	SecondUnit string           `json:"second_unit,omitempty"` // SecondUnit
	DeclPrice  decimal.Decimal  `json:"decl_price"`            // DeclPrice 单价
	DeclTotal  decimal.Decimal  `json:"decl_total"`            // DeclTotal 总价
	TradeCurr  string           `json:"trade_curr"`            // TradeCurr 币制 (ISO 4217)

	OriginCountry      string `json:"origin_country"`          // OriginCountry 原产国（地区）
	DestinationCountry string `json:"destination_country"`     // DestinationCountry 最终目的国（地区）
	DistrictCode       string `json:"district_code,omitempty"` // DistrictCode 境内目的地/货源地 (5)
	DutyMode           string `json:"duty_mode"`               // DutyMode 征免方式
	ContrItem          string `json:"contr_item,omitempty"`    // ContrItem 备案序号
	Agreement          string `json:"agreement,omitempty"`     // 优惠贸易协定代码 claimed for this item
}

// Container is one container (集装箱).
type Container struct {
	ContainerID string          `json:"container_id"`           // ContainerId ISO 6346, 11 chars
	ContainerMd string          `json:"container_md,omitempty"` // ContainerMd 规格
	GoodsNo     []int           `json:"goods_no,omitempty"`     // GoodsNo item numbers carried
	LclFlag     string          `json:"lcl_flag,omitempty"`     // LclFlag 拼箱标识 0/1
	ContainerWt decimal.Decimal `json:"container_wt,omitempty"` // ContainerWt 自重
}

// Document is an attached document (随附单据, EdocRealation).
type Document struct {
	EdocCode string `json:"edoc_code"` // EdocCode 单据类型
	EdocID   string `json:"edoc_id"`   // EdocID 单据编号
	Name     string `json:"name,omitempty"`
}

// Licence is a regulatory certificate (随附单证, DecLicenseDocus).
type Licence struct {
	DocuCode string `json:"docu_code"` // DocuCode 监管证件代码
	CertCode string `json:"cert_code"` // CertCode 证件编号
}

// Status is a lifecycle state; see lifecycle.go.
type Status string

// Lane is the risk channel the declaration was routed to.
type Lane string

const (
	LaneNone   Lane = ""
	LaneGreen  Lane = "green"  // release without intervention
	LaneYellow Lane = "yellow" // document review (审单)
	LaneRed    Lane = "red"    // physical inspection (查验)
	LaneBlue   Lane = "blue"   // release now, post-clearance audit (稽查)
)

// Declaration is the stored aggregate: the submitted form plus what the
// system assigned and decided.
type Declaration struct {
	ID         int64     `json:"id"`
	EntryID    string    `json:"entry_id"` // EntryId 海关编号 (18)
	SeqNo      string    `json:"seq_no"`   // SeqNo 统一编号 (18)
	Status     Status    `json:"status"`
	Lane       Lane      `json:"lane,omitempty"`
	Version    int       `json:"version"` // bumped by every transition
	ClientKey  string    `json:"client_key"`
	BodyHash   string    `json:"-"`
	Submitter  string    `json:"submitter"` // user who submitted
	DeclaredAt time.Time `json:"declared_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	LateDays   int       `json:"late_days,omitempty"` // import declared past the 14-day limit (滞报)

	Form

	Risk       *RiskDecision     `json:"risk,omitempty"`
	Inspection *InspectionResult `json:"inspection,omitempty"`
	Tax        *TaxAssessment    `json:"tax,omitempty"`
	Settlement *Settlement       `json:"settlement,omitempty"`
	Amendments int               `json:"amendments,omitempty"`
	ReleasedAt time.Time         `json:"released_at,omitzero"`
	ReleasedBy string            `json:"released_by,omitempty"`
	// Audit is the post-clearance audit's result (稽查), after release.
	Audit *InspectionResult `json:"audit,omitempty"`

	// Doc is the stored JSON document, encoded by the service outside the
	// single writer (Seal); any transition clears it. Nil: the store encodes.
	Doc []byte `json:"-"`
}

// RiskDecision records why a lane was chosen.
type RiskDecision struct {
	Lane      Lane            `json:"lane"`
	Stream    string          `json:"stream"` // random | targeted | rerouted
	Draw      float64         `json:"draw"`   // the uniform draw in [0,1) that chose the lane
	Rates     map[Lane]string `json:"rates"`  // configured lane rates used, as decimal fractions
	Office    string          `json:"office"`
	Direction string          `json:"direction"`
	RuleSet   string          `json:"rule_set"` // which configuration row decided
	ReasonZH  string          `json:"reason_zh"`
	ReasonEN  string          `json:"reason_en"`
	Hits      []ProfileHit    `json:"hits,omitempty"`
	DecidedAt time.Time       `json:"decided_at"`
	DecidedBy string          `json:"decided_by"`
	// RandomLane is what the random stream alone chose, whatever the other
	// streams did: the unbiased sample that measures compliance.
	RandomLane Lane `json:"random_lane,omitempty"`
	// Grade is the trader's credit grade and Multiplier what it did to the
	// random stream's configured rates (Rates are after it).
	Grade      string  `json:"grade,omitempty"`
	Multiplier float64 `json:"multiplier,omitempty"`
	// DocumentReviewShare is what the grade did to the document-review
	// (yellow) rate, and Priority says the trader's declarations come
	// first in the officers' review and inspection queues (差别化管理措施).
	DocumentReviewShare float64 `json:"document_review_share,omitempty"`
	Priority            bool    `json:"priority,omitempty"`
	// TopUp: selected to fill the office's inspection capacity.
	TopUp bool `json:"top_up,omitempty"`
	// Previous is the decision an officer's re-routing replaced.
	Previous *RiskDecision `json:"previous,omitempty"`
	// Model is the risk model's score and explanation, when one is active.
	Model *ModelDecision `json:"model,omitempty"`
}

// ProfileHit is one matched risk profile with the values that matched.
type ProfileHit struct {
	ProfileID string `json:"profile_id"`
	Version   int    `json:"version"`
	Title     string `json:"title,omitempty"`
	Item      int    `json:"item"` // item number; 0: the declaration as a whole
	Lane      Lane   `json:"lane"`
	Selected  bool   `json:"selected"` // within the profile's selection percentage
	// ForcedAfter: selected because this many matches in a row had been
	// left unselected by the percentage.
	ForcedAfter int               `json:"forced_after,omitempty"`
	Values      map[string]string `json:"values,omitempty"`
}

// InspectionResult is what the reviewing or inspecting officer found.
// Items without a finding had none.
type InspectionResult struct {
	Outcome  string    `json:"outcome"` // no_finding | finding
	Findings []Finding `json:"findings,omitempty"`
	// AdditionalDuty is the findings' total: the revenue the check brought.
	AdditionalDuty decimal.Decimal `json:"additional_duty"`
	Seized         bool            `json:"seized,omitempty"` // goods of some item seized
	Note           string          `json:"note,omitempty"`
	Officer        string          `json:"officer"`
	RecordedAt     time.Time       `json:"recorded_at"`
	// Bill is the supplementary tax bill an audit's additional duty raised.
	Bill string `json:"bill,omitempty"`
}

// Finding is a discrepancy on one item: misdeclared commodity code
// (hs), value, quantity or origin, prohibited goods, or other; with the
// duty assessed on top of the declared amount and whether goods were seized.
type Finding struct {
	GNo            int             `json:"g_no"`
	Kind           string          `json:"kind"` // hs | value | quantity | origin | prohibited | other
	AdditionalDuty decimal.Decimal `json:"additional_duty,omitzero"`
	Seized         bool            `json:"seized,omitempty"`
	Note           string          `json:"note,omitempty"`
}

// TaxAssessment is the computed duty, trade-remedy duties, consumption
// tax and VAT, in CNY.
type TaxAssessment struct {
	Method         string          `json:"method"`
	Items          []ItemTax       `json:"items"`
	Duty           decimal.Decimal `json:"duty"`
	RemedyDuty     decimal.Decimal `json:"remedy_duty"`
	ConsumptionTax decimal.Decimal `json:"consumption_tax"`
	VAT            decimal.Decimal `json:"vat"`
	// InspectionDuty is the additional duty the review or inspection
	// assessed on its findings (e.g. an undervalued item), on top of the
	// figures computed from the declared data; it is part of Total.
	InspectionDuty decimal.Decimal   `json:"inspection_duty,omitzero"`
	Total          decimal.Decimal   `json:"total"`
	DutyWaived     bool              `json:"duty_waived,omitempty"` // consignment duty under the de-minimis threshold
	Rates          map[string]string `json:"exchange_rates,omitempty"`
	Schedule       string            `json:"schedule,omitempty"` // version of the tariff schedule the rates came from
	BillNo         string            `json:"bill_no,omitempty"`  // the tax bill (税单) issued for this assessment
	AssessedAt     time.Time         `json:"assessed_at"`
}

// ItemTax is the tax of one item and the rule that chose its rates.
// Rates are percent; specific amounts are CNY per first legal unit.
type ItemTax struct {
	GNo            int             `json:"g_no"`
	CodeTS         string          `json:"code_ts"`
	CustomsValue   decimal.Decimal `json:"customs_value"`
	DutyCategory   string          `json:"duty_category"`    // mfn | agreement | special | general | provisional | quota
	Scheme         string          `json:"scheme,omitempty"` // agreement or special scheme applied
	DutyKind       string          `json:"duty_kind"`        // ad_valorem | specific | compound
	DutyRate       decimal.Decimal `json:"duty_rate"`
	DutySpecific   decimal.Decimal `json:"duty_specific"`
	DutyRuleCode   string          `json:"duty_rule_code"`
	DutyRuleZH     string          `json:"duty_rule_zh"`
	DutyRule       string          `json:"duty_rule"`
	Duty           decimal.Decimal `json:"duty"`
	Remedies       []RemedyDuty    `json:"remedies,omitempty"`
	RemedyDuty     decimal.Decimal `json:"remedy_duty"`
	CTRate         decimal.Decimal `json:"ct_rate"`
	CTSpecific     decimal.Decimal `json:"ct_specific"`
	ConsumptionTax decimal.Decimal `json:"consumption_tax"`
	VATRate        decimal.Decimal `json:"vat_rate"`
	VAT            decimal.Decimal `json:"vat"`
}

// RemedyDuty is an anti-dumping, countervailing, safeguard or retaliatory
// duty added on top of the duty.
type RemedyDuty struct {
	Measure  string          `json:"measure"`
	Rate     decimal.Decimal `json:"rate"`
	Specific decimal.Decimal `json:"specific"`
	Amount   decimal.Decimal `json:"amount"`
}

// Settlement records how the taxes were secured: payment, a guarantee,
// or — for a trader whose credit grade exempts it from guarantees — its
// undertaking (guarantee_exempt), the bill still due by its date.
type Settlement struct {
	Kind      string          `json:"kind"` // paid | guaranteed | guarantee_exempt | none_due
	Amount    decimal.Decimal `json:"amount"`
	Reference string          `json:"reference,omitempty"` // payment reference, or the guarantee account
	At        time.Time       `json:"at"`
	By        string          `json:"by"`
	// The credit measure that decided a release before payment
	// (差别化管理措施): the trader's grade, its guarantee requirement
	// (exempt, reduced, normal, full), what the guarantee account gave
	// (the whole bill, a share, nothing when exempt), whether the bill is
	// paid with the month's others (汇总征税), and why a measure the
	// trader holds an account for did not apply.
	Grade        string          `json:"grade,omitempty"`
	Guarantee    string          `json:"guarantee,omitempty"`
	Secured      decimal.Decimal `json:"secured,omitzero"`
	Consolidated bool            `json:"consolidated,omitempty"`
	Refused      *Refusal        `json:"refused,omitempty"`
}

// Refusal is a coded reason, in both languages, why a measure did not apply.
type Refusal struct {
	Code      string `json:"code"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

// SecuredBeforePayment reports whether the settlement lets the goods go before
// payment: a guarantee, or the trader's exemption from one.
func (s *Settlement) SecuredBeforePayment() bool {
	return s != nil && (s.Kind == SettleGuaranteed || s.Kind == SettleExempt)
}

// Settlement kinds.
const (
	SettlePaid       = "paid"
	SettleGuaranteed = "guaranteed"
	SettleExempt     = "guarantee_exempt" // 免担保: released on the trader's undertaking
	SettleNoneDue    = "none_due"
)

// Event is one immutable lifecycle transition.
type Event struct {
	DeclarationID int64           `json:"declaration_id"`
	Seq           int             `json:"seq"`
	Action        Action          `json:"action"`
	From          Status          `json:"from"`
	To            Status          `json:"to"`
	Actor         string          `json:"actor"`
	Role          string          `json:"role"`
	At            time.Time       `json:"at"`
	Reason        string          `json:"reason,omitempty"`
	Data          json.RawMessage `json:"data,omitempty"`
}

// Summary is a list row.
type Summary struct {
	ID           int64           `json:"id"`
	EntryID      string          `json:"entry_id"`
	Status       Status          `json:"status"`
	Lane         Lane            `json:"lane,omitempty"`
	IEFlag       string          `json:"ie_flag"`
	CustomMaster string          `json:"custom_master"`
	TradeCoScc   string          `json:"trade_co_scc"`
	TradeName    string          `json:"trade_name"`
	AgentCodeScc string          `json:"agent_code_scc"`
	TradeMode    string          `json:"trade_mode"`
	ItemCount    int             `json:"item_count"`
	TaxTotal     decimal.Decimal `json:"tax_total"`
	DeclaredAt   time.Time       `json:"declared_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
	// Priority: the trader's grade earns priority handling (the risk
	// decision says so); the officers' queues list it first.
	Priority bool `json:"priority,omitempty"`
}

// Prioritized reports whether the risk decision flagged d for priority
// handling.
func (d *Declaration) Prioritized() bool { return d.Risk != nil && d.Risk.Priority }
