package postgres

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jinguan-customs/jinguan/declaration"
)

// columns are the values of the summary columns Insert and Update write.
type columns struct {
	bodyHash, status, lane, ieFlag, customMaster, tradeCo, tradeName, owner, tradeMode string

	itemCount int
	priority  bool // the risk decision flagged priority handling
	taxTotal  any  // decimal text, or NULL before assessment
	updatedAt time.Time
	version   int
	doc       []byte
}

func rowColumns(d *declaration.Declaration) (columns, error) {
	doc, err := d.Document()
	if err != nil {
		return columns{}, err
	}
	var tax any
	if d.Tax != nil {
		tax = d.Tax.Total.String()
	}
	return columns{
		bodyHash: d.BodyHash, status: string(d.Status), lane: string(d.Lane), ieFlag: d.Head.IEFlag,
		customMaster: d.Head.CustomMaster, tradeCo: d.Head.TradeCoScc, tradeName: d.Head.TradeName,
		owner: d.Head.OwnerCodeScc, tradeMode: d.Head.TradeMode, itemCount: len(d.Items), taxTotal: tax,
		priority:  d.Prioritized(),
		updatedAt: d.UpdatedAt, version: d.Version, doc: doc,
	}, nil
}

func scanDoc(row pgx.Row) (*declaration.Declaration, error) {
	var doc []byte
	var hash string
	if err := row.Scan(&doc, &hash); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound()
		}
		return nil, err
	}
	return declaration.DecodeDoc(doc, hash)
}
