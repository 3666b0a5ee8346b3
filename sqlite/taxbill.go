package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Bills returns the tax-bill store.
func (db *DB) Bills() tariff.BillStore { return (*billStore)(db) }

type billStore DB

const billColumns = `no, kind, original, declaration_id, entry_id, trade_co_scc, agent_scc, status,
	amount, issued_at, due_date, guarantee, period, review, version, doc`

func billValues(b *tariff.Bill) ([]any, error) {
	doc, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return []any{b.No, b.Kind, b.Original, b.DeclarationID, b.EntryID, b.TradeCoScc, b.AgentCodeScc, b.Status,
		b.Amount.String(), micros(b.IssuedAt), b.DueDate, b.Guarantee, b.Period, b.Review, b.Version, string(doc)}, nil
}

func billNotFound() error { return jinguan.NotFound("税单", "tax bill") }

func scanBill(row interface{ Scan(...any) error }) (tariff.Bill, error) {
	var b tariff.Bill
	var doc []byte
	err := row.Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return b, billNotFound()
	}
	if err != nil {
		return b, err
	}
	err = json.Unmarshal(doc, &b)
	b.IssuedAt, b.SettledAt = b.IssuedAt.UTC(), b.SettledAt.UTC()
	return b, err
}

func collectBills(rows *sql.Rows, err error) ([]tariff.Bill, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tariff.Bill
	for rows.Next() {
		b, err := scanBill(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func (w *writeTx) InsertBill(ctx context.Context, b *tariff.Bill) error {
	vals, err := billValues(b)
	if err != nil {
		return err
	}
	_, err = w.exec(ctx, `INSERT INTO tax_bills (`+billColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, vals...)
	return mapErr(err)
}

func (w *writeTx) LockBill(ctx context.Context, no string) (tariff.Bill, error) {
	st, err := w.prep(ctx, `SELECT doc FROM tax_bills WHERE no = ?`)
	if err != nil {
		return tariff.Bill{}, err
	}
	return scanBill(st.QueryRowContext(ctx, no))
}

func (w *writeTx) UpdateBill(ctx context.Context, b *tariff.Bill) error {
	vals, err := billValues(b)
	if err != nil {
		return err
	}
	res, err := w.exec(ctx, `UPDATE tax_bills SET kind = ?, original = ?, declaration_id = ?, entry_id = ?,
		trade_co_scc = ?, agent_scc = ?, status = ?, amount = ?, issued_at = ?, due_date = ?, guarantee = ?,
		period = ?, review = ?, version = ?, doc = ? WHERE no = ? AND version = ?`,
		append(vals[1:], b.No, b.Version-1)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmpErr(err, jinguan.Errorf(jinguan.ECONFLICT, "税单已被他人修改", "the bill was changed meanwhile"))
	}
	return nil
}

func (w *writeTx) AppendBillEvent(ctx context.Context, e tariff.BillEvent) error {
	var data any
	if len(e.Data) > 0 && string(e.Data) != "null" {
		data = string(e.Data)
	}
	_, err := w.exec(ctx, `INSERT INTO tax_bill_events (bill_no, seq, action, actor, role, at, reason, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.BillNo, e.Seq, e.Action, e.Actor, e.Role, micros(e.At), e.Reason, data)
	return mapErr(err)
}

func (w *writeTx) DeclarationBills(ctx context.Context, id int64) ([]tariff.Bill, error) {
	return collectBills(w.query(ctx, `SELECT doc FROM tax_bills WHERE declaration_id = ? ORDER BY no`, id))
}

func (w *writeTx) GuaranteedBills(ctx context.Context, account, period string) ([]tariff.Bill, error) {
	return collectBills(w.query(ctx, `SELECT doc FROM tax_bills WHERE guarantee = ? AND status = 'guaranteed'
		AND (? = '' OR period = ?) ORDER BY no`, account, period, period))
}

func (s *billStore) InBillTx(ctx context.Context, fn func(tariff.BillTx) error) error {
	return (*DB)(s).inTx(ctx, func(w *writeTx) error { return fn(w) })
}

func (s *billStore) Bill(ctx context.Context, no string) (tariff.Bill, error) {
	return scanBill(s.r.QueryRowContext(ctx, `SELECT doc FROM tax_bills WHERE no = ?`, no))
}

func (s *billStore) Bills(ctx context.Context, f tariff.BillFilter) ([]tariff.Bill, string, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Cursor != "" {
		at, no, err := tariff.DecodeBillCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		add(`(issued_at < ? OR (issued_at = ? AND no < ?))`, micros(at), micros(at), no)
	}
	if len(f.Status) > 0 {
		for _, st := range f.Status {
			args = append(args, st)
		}
		where = append(where, `status IN (`+strings.Repeat(", ?", len(f.Status))[2:]+`)`)
	}
	for _, c := range []struct{ col, v string }{{"kind", f.Kind}, {"trade_co_scc", f.Trader},
		{"guarantee", f.Guarantee}, {"period", f.Period}, {"review", f.Review}} {
		if c.v != "" {
			add(c.col+` = ?`, c.v)
		}
	}
	if f.Enterprise != "" {
		add(`(trade_co_scc = ? OR agent_scc = ?)`, f.Enterprise, f.Enterprise)
	}
	if f.OfficeArea != "" {
		lo, hi := declaration.PrefixRange(f.OfficeArea)
		add(`declaration_id IN (SELECT id FROM declarations WHERE custom_master >= ? AND custom_master < ?)`, lo, hi)
	}
	if f.Declaration != 0 {
		add(`declaration_id = ?`, f.Declaration)
	}
	if f.DueBefore != "" {
		add(`due_date < ?`, f.DueBefore)
	}
	if !f.From.IsZero() {
		add(`issued_at >= ?`, micros(f.From))
	}
	if !f.To.IsZero() {
		add(`issued_at < ?`, micros(f.To))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = declaration.DefaultLimit
	}
	q := `SELECT doc FROM tax_bills`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	rows, err := collectBills(s.r.QueryContext(ctx, q+` ORDER BY issued_at DESC, no DESC LIMIT ?`, append(args, limit+1)...))
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = tariff.EncodeBillCursor(rows[limit-1])
	}
	return rows, next, nil
}

func (s *billStore) BillEvents(ctx context.Context, no string) ([]tariff.BillEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, action, actor, role, at, reason, data FROM tax_bill_events
		WHERE bill_no = ? ORDER BY seq`, no)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tariff.BillEvent
	for rows.Next() {
		e := tariff.BillEvent{BillNo: no}
		var at int64
		var data sql.NullString
		if err := rows.Scan(&e.Seq, &e.Action, &e.Actor, &e.Role, &at, &e.Reason, &data); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		if data.Valid {
			e.Data = []byte(data.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *billStore) PutReview(ctx context.Context, r tariff.Review) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return (*DB)(s).inTx(ctx, func(w *writeTx) error {
		_, err := w.tx.ExecContext(ctx, `INSERT INTO tax_reviews (id, at, by_user, applied, bills, doc) VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, micros(r.At), r.By, r.Apply, r.Bills, string(doc))
		return mapErr(err)
	})
}

func scanReview(row interface{ Scan(...any) error }) (tariff.Review, error) {
	var r tariff.Review
	var doc []byte
	err := row.Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return r, jinguan.NotFound("复审记录", "re-review")
	}
	if err != nil {
		return r, err
	}
	err = json.Unmarshal(doc, &r)
	r.At = r.At.UTC()
	return r, err
}

func (s *billStore) Review(ctx context.Context, id string) (tariff.Review, error) {
	return scanReview(s.r.QueryRowContext(ctx, `SELECT doc FROM tax_reviews WHERE id = ?`, id))
}

func (s *billStore) Reviews(ctx context.Context, limit int) ([]tariff.Review, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM tax_reviews ORDER BY at DESC, id DESC LIMIT ?`, max(limit, 1))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tariff.Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		r.Diffs = nil
		out = append(out, r)
	}
	return out, rows.Err()
}
