package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

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
		b.Amount, b.IssuedAt, b.DueDate, b.Guarantee, b.Period, b.Review, b.Version, doc}, nil
}

func billNotFound() error { return jinguan.NotFound("税单", "tax bill") }

func scanBill(row pgx.Row) (tariff.Bill, error) {
	var b tariff.Bill
	var doc []byte
	err := row.Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, billNotFound()
	}
	if err != nil {
		return b, err
	}
	err = json.Unmarshal(doc, &b)
	b.IssuedAt, b.SettledAt = b.IssuedAt.UTC(), b.SettledAt.UTC()
	return b, err
}

func collectBills(rows pgx.Rows, err error) ([]tariff.Bill, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tariff.Bill, error) { return scanBill(r) })
}

func (w *writeTx) InsertBill(ctx context.Context, b *tariff.Bill) error {
	vals, err := billValues(b)
	if err != nil {
		return err
	}
	// A duplicate number is reported without raising, which would abort
	// the transaction up to the op's savepoint.
	tag, err := w.tx.Exec(ctx, `INSERT INTO tax_bills (`+billColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (no) DO NOTHING`, vals...)
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return conflict()
	}
	return nil
}

func (w *writeTx) LockBill(ctx context.Context, no string) (tariff.Bill, error) {
	return scanBill(w.tx.QueryRow(ctx, `SELECT doc FROM tax_bills WHERE no = $1 FOR UPDATE`, no))
}

func (w *writeTx) UpdateBill(ctx context.Context, b *tariff.Bill) error {
	vals, err := billValues(b)
	if err != nil {
		return err
	}
	tag, err := w.tx.Exec(ctx, `UPDATE tax_bills SET kind = $2, original = $3, declaration_id = $4, entry_id = $5,
		trade_co_scc = $6, agent_scc = $7, status = $8, amount = $9, issued_at = $10, due_date = $11, guarantee = $12,
		period = $13, review = $14, version = $15, doc = $16 WHERE no = $1 AND version = $17`,
		append(vals, b.Version-1)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return jinguan.Errorf(jinguan.ECONFLICT, "税单已被他人修改", "the bill was changed meanwhile")
	}
	return nil
}

func (w *writeTx) AppendBillEvent(ctx context.Context, e tariff.BillEvent) error {
	var data []byte
	if len(e.Data) > 0 && string(e.Data) != "null" {
		data = e.Data
	}
	_, err := w.tx.Exec(ctx, `INSERT INTO tax_bill_events (bill_no, seq, action, actor, role, at, reason, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.BillNo, e.Seq, e.Action, e.Actor, e.Role, e.At, e.Reason, data)
	return mapErr(err)
}

func (w *writeTx) DeclarationBills(ctx context.Context, id int64) ([]tariff.Bill, error) {
	return collectBills(w.tx.Query(ctx, `SELECT doc FROM tax_bills WHERE declaration_id = $1 ORDER BY no COLLATE "C"`, id))
}

func (w *writeTx) GuaranteedBills(ctx context.Context, account, period string) ([]tariff.Bill, error) {
	return collectBills(w.tx.Query(ctx, `SELECT doc FROM tax_bills WHERE guarantee = $1 AND status = 'guaranteed'
		AND ($2 = '' OR period = $2) ORDER BY no COLLATE "C" FOR UPDATE`, account, period))
}

func (s *billStore) InBillTx(ctx context.Context, fn func(tariff.BillTx) error) error {
	return (*DB)(s).inTx(ctx, func(w *writeTx) error { return fn(w) })
}

func (s *billStore) Bill(ctx context.Context, no string) (tariff.Bill, error) {
	return scanBill(s.pool.QueryRow(ctx, `SELECT doc FROM tax_bills WHERE no = $1`, no))
}

func (s *billStore) Bills(ctx context.Context, f tariff.BillFilter) ([]tariff.Bill, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Cursor != "" {
		at, no, err := tariff.DecodeBillCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, `(issued_at, no COLLATE "C") < (`+arg(at)+`, `+arg(no)+` COLLATE "C")`)
	}
	if len(f.Status) > 0 {
		where = append(where, `status = ANY(`+arg(f.Status)+`)`)
	}
	for _, c := range []struct{ col, v string }{{"kind", f.Kind}, {"trade_co_scc", f.Trader},
		{"guarantee", f.Guarantee}, {"period", f.Period}, {"review", f.Review}} {
		if c.v != "" {
			where = append(where, c.col+` = `+arg(c.v))
		}
	}
	if f.Enterprise != "" {
		p := arg(f.Enterprise)
		where = append(where, `(trade_co_scc = `+p+` OR agent_scc = `+p+`)`)
	}
	if f.OfficeArea != "" {
		lo, hi := declaration.PrefixRange(f.OfficeArea)
		where = append(where, `declaration_id IN (SELECT id FROM declarations WHERE custom_master >= `+arg(lo)+` AND custom_master < `+arg(hi)+`)`)
	}
	if f.Declaration != 0 {
		where = append(where, `declaration_id = `+arg(f.Declaration))
	}
	if f.DueBefore != "" {
		where = append(where, `due_date < `+arg(f.DueBefore))
	}
	if !f.From.IsZero() {
		where = append(where, `issued_at >= `+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, `issued_at < `+arg(f.To))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = declaration.DefaultLimit
	}
	q := `SELECT doc FROM tax_bills`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY issued_at DESC, no COLLATE "C" DESC LIMIT ` + arg(limit+1)
	rows, err := collectBills(s.pool.Query(ctx, q, args...))
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
	rows, err := s.pool.Query(ctx, `SELECT seq, action, actor, role, at, reason, data FROM tax_bill_events
		WHERE bill_no = $1 ORDER BY seq`, no)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tariff.BillEvent, error) {
		e := tariff.BillEvent{BillNo: no}
		var data []byte
		err := r.Scan(&e.Seq, &e.Action, &e.Actor, &e.Role, &e.At, &e.Reason, &data)
		e.At, e.Data = e.At.UTC(), data
		return e, err
	})
}

func (s *billStore) PutReview(ctx context.Context, r tariff.Review) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO tax_reviews (id, at, by_user, applied, bills, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, r.At, r.By, r.Apply, r.Bills, doc)
	return mapErr(err)
}

func scanReview(row pgx.Row) (tariff.Review, error) {
	var r tariff.Review
	var doc []byte
	err := row.Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
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
	return scanReview(s.pool.QueryRow(ctx, `SELECT doc FROM tax_reviews WHERE id = $1`, id))
}

func (s *billStore) Reviews(ctx context.Context, limit int) ([]tariff.Review, error) {
	rows, err := s.pool.Query(ctx, `SELECT doc FROM tax_reviews ORDER BY at DESC, id COLLATE "C" DESC LIMIT $1`, max(limit, 1))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tariff.Review, error) {
		x, err := scanReview(r)
		x.Diffs = nil
		return x, err
	})
}
