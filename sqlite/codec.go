package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jinguan-customs/jinguan/declaration"
)

// columns are the values of the summary columns Insert and Update write.
type columns struct {
	bodyHash, status, lane, ieFlag, customMaster, tradeCo, tradeName, owner, tradeMode string

	itemCount int
	taxTotal  any // decimal text, or NULL before assessment
	updatedAt int64
	version   int
	doc       string
}

func rowColumns(d *declaration.Declaration) (columns, error) {
	doc, err := encodeDoc(d)
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
		updatedAt: micros(d.UpdatedAt), version: d.Version, doc: string(doc),
	}, nil
}

// encodeDoc marshals d with every time in UTC, so documents read back in
// UTC whatever zone the caller used.
func encodeDoc(d *declaration.Declaration) ([]byte, error) {
	c := *d
	c.DeclaredAt, c.UpdatedAt = c.DeclaredAt.UTC(), c.UpdatedAt.UTC()
	if c.Risk != nil {
		r := *c.Risk
		r.DecidedAt = r.DecidedAt.UTC()
		c.Risk = &r
	}
	if c.Inspection != nil {
		r := *c.Inspection
		r.RecordedAt = r.RecordedAt.UTC()
		c.Inspection = &r
	}
	if c.Tax != nil {
		r := *c.Tax
		r.AssessedAt = r.AssessedAt.UTC()
		c.Tax = &r
	}
	if c.Settlement != nil {
		r := *c.Settlement
		r.At = r.At.UTC()
		c.Settlement = &r
	}
	return json.Marshal(&c)
}

func scanDoc(row *sql.Row) (*declaration.Declaration, error) {
	var doc []byte
	var hash string
	if err := row.Scan(&doc, &hash); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound()
		}
		return nil, err
	}
	d := new(declaration.Declaration)
	if err := json.Unmarshal(doc, d); err != nil {
		return nil, err
	}
	d.BodyHash = hash // not part of the JSON form
	return d, nil
}

// Times are stored as UTC unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
