package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/ecommerce"
)

// Ecommerce returns the e-commerce store.
func (db *DB) Ecommerce() ecommerce.Store { return (*cbecStore)(db) }

type cbecStore DB

// cbecLock serialises e-commerce batches across processes: the receipt
// log gets gap-free sequence numbers in commit order, so a webhook cursor
// never skips a receipt committed late.
const cbecLock = 20200

const listCols = `id, list_key, status, lane, buyer_id, ebp_code, order_no, logistics_no, assure_code, trade_mode,
	customs_code, value_fen, tax_fen, period, declared_at, updated_at, deadline`

const (
	qDocs = `INSERT INTO cbec_docs (k, kind, at, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[])
		ON CONFLICT (k) DO NOTHING RETURNING k`
	qDocUpsert = `INSERT INTO cbec_docs (k, kind, at, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (k) DO UPDATE SET
		kind = excluded.kind, at = excluded.at, doc = excluded.doc`
	qDocDelete  = `DELETE FROM cbec_docs WHERE k = $1`
	qListInsert = `INSERT INTO cbec_lists (list_key, status, lane, buyer_id, ebp_code, order_no, logistics_no, assure_code,
		trade_mode, customs_code, value_fen, tax_fen, period, declared_at, updated_at, deadline, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (list_key) DO UPDATE SET status = excluded.status, lane = excluded.lane, buyer_id = excluded.buyer_id,
		logistics_no = excluded.logistics_no, assure_code = excluded.assure_code, trade_mode = excluded.trade_mode,
		customs_code = excluded.customs_code, value_fen = excluded.value_fen, tax_fen = excluded.tax_fen,
		period = excluded.period, declared_at = excluded.declared_at, updated_at = excluded.updated_at,
		deadline = excluded.deadline, doc = excluded.doc WHERE cbec_lists.status = 100 RETURNING id`
	qListUpdate = `UPDATE cbec_lists SET status = $1, lane = $2, value_fen = $3, tax_fen = $4, period = $5, updated_at = $6,
		deadline = $7, doc = $8 WHERE list_key = $9 AND status = $10 RETURNING id`
	qListRewrite = `UPDATE cbec_lists SET status = $1, lane = $2, value_fen = $3, tax_fen = $4, period = $5, updated_at = $6,
		deadline = $7, doc = $8 WHERE list_key = $9`
	qQuotaAdd = `INSERT INTO cbec_quota (buyer_id, year, used_fen) SELECT $1::text, $2::bigint, $3::bigint WHERE $3::bigint <= $4::bigint
		ON CONFLICT (buyer_id, year) DO UPDATE SET used_fen = cbec_quota.used_fen + excluded.used_fen
		WHERE cbec_quota.used_fen + excluded.used_fen <= $4::bigint`
	qQuotaSub = `UPDATE cbec_quota SET used_fen = greatest(0, used_fen + $1) WHERE buyer_id = $2 AND year = $3`
	qPeriod   = `INSERT INTO cbec_tax_periods (assure_code, period, bills, tax_fen) VALUES ($1, $2, $3, $4)
		ON CONFLICT (assure_code, period) DO UPDATE SET bills = cbec_tax_periods.bills + excluded.bills,
		tax_fen = cbec_tax_periods.tax_fen + excluded.tax_fen`
	qReceipts = `INSERT INTO cbec_receipts (seq, list_id, body) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])`
)

func us(t time.Time) int64 { return t.UnixMicro() }

func us0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromUs(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromUs0(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromUs(v)
}

func (s *cbecStore) Apply(ctx context.Context, units []*ecommerce.Unit) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, cbecLock); err != nil {
		return err
	}
	refuse := func(u *ecommerce.Unit, code string) {
		u.Refused = code
		u.Refuse(code)
	}
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM cbec_receipts`).Scan(&seq); err != nil {
		return err
	}
	if err := s.docs(ctx, tx, units, refuse); err != nil {
		return err
	}
	for _, u := range units {
		if u.Refused != "" {
			continue
		}
		if err := applyUnit(ctx, tx, u, refuse); err != nil {
			return err
		}
	}
	// A list no guarantee covers gives its quota back and is rewritten.
	uncovered := func(u *ecommerce.Unit, code string) error {
		if q := u.Quota; q != nil && q.DeltaFen > 0 {
			if _, err := tx.Exec(ctx, qQuotaSub, -q.DeltaFen, q.BuyerID, q.Year); err != nil {
				return err
			}
		}
		refuse(u, code)
		l := u.List
		_, err := tx.Exec(ctx, qListRewrite, int(l.Status), l.Lane, l.ValueFen, l.TaxFen, l.Period, us(l.UpdatedAt),
			us0(l.Deadline), l.Doc, l.Key)
		return err
	}
	refs, err := ecommerce.SecureBatch(ctx, &writeTx{db: (*DB)(s), tx: tx}, units, seq, uncovered)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if _, err := tx.Exec(ctx, `INSERT INTO cbec_guarantee_refs (assure_code, period, ref, amount_fen) VALUES ($1, $2, $3, $4)`,
			r.AssureCode, r.Period, r.Ref, r.AmountFen); err != nil {
			return err
		}
	}
	periods := ecommerce.NewPeriodSums()
	for _, u := range units {
		if u.Period != nil {
			periods.Add(*u.Period)
		}
	}
	for _, p := range periods.Deltas() {
		if _, err := tx.Exec(ctx, qPeriod, p.AssureCode, p.Period, p.Bills, p.TaxFen); err != nil {
			return err
		}
	}
	var seqs, ids []int64
	var bodies [][]byte
	for _, u := range units {
		for i := range u.Receipts {
			r := &u.Receipts[i]
			if u.List != nil {
				r.ListID = u.List.ID
			}
			seq++
			r.Seq = seq
			b, err := u.AppendReceipt(nil, i)
			if err != nil {
				return err
			}
			seqs, ids, bodies = append(seqs, seq), append(ids, r.ListID), append(bodies, b)
		}
	}
	if len(seqs) > 0 {
		if _, err := tx.Exec(ctx, qReceipts, seqs, ids, bodies); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// docs writes runs of new documents with one statement each; a unit whose
// document already existed is refused before anything else of it.
func (s *cbecStore) docs(ctx context.Context, tx pgx.Tx, units []*ecommerce.Unit, refuse func(*ecommerce.Unit, string)) error {
	type pending struct {
		u *ecommerce.Unit
		d ecommerce.DocRow
	}
	var run []pending
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		keys, kinds, ats, docs := make([]string, len(run)), make([]string, len(run)), make([]int64, len(run)), make([][]byte, len(run))
		for i, p := range run {
			keys[i], kinds[i], ats[i], docs[i] = p.d.Key, string(p.d.Kind), us(p.d.At), p.d.Doc
		}
		rows, err := tx.Query(ctx, qDocs, keys, kinds, ats, docs)
		if err != nil {
			return err
		}
		added := map[string]bool{}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			added[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range run {
			if !added[p.d.Key] && p.u.Refused == "" {
				refuse(p.u, "duplicate")
			}
		}
		run = run[:0]
		return nil
	}
	for _, u := range units {
		for _, d := range u.Docs {
			if d.Op == ecommerce.DocInsert {
				run = append(run, pending{u, d})
				continue
			}
			if err := flush(); err != nil {
				return err
			}
			q, args := qDocDelete, []any{d.Key}
			if d.Op == ecommerce.DocUpsert {
				q, args = qDocUpsert, []any{d.Key, string(d.Kind), us(d.At), d.Doc}
			}
			tag, err := tx.Exec(ctx, q, args...)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 && u.Refused == "" {
				refuse(u, "duplicate")
			}
		}
	}
	return flush()
}

func applyUnit(ctx context.Context, tx pgx.Tx, u *ecommerce.Unit, refuse func(*ecommerce.Unit, string)) error {
	if l := u.List; l != nil {
		var id int64
		var err error
		if l.ExpectStatus == 0 {
			err = tx.QueryRow(ctx, qListInsert, l.Key, int(l.Status), l.Lane, l.BuyerID, l.EbpCode, l.OrderNo, l.LogisticsNo,
				l.AssureCode, l.TradeMode, l.CustomsCode, l.ValueFen, l.TaxFen, l.Period, us(l.DeclaredAt), us(l.UpdatedAt),
				us0(l.Deadline), l.Doc).Scan(&id)
		} else {
			err = tx.QueryRow(ctx, qListUpdate, int(l.Status), l.Lane, l.ValueFen, l.TaxFen, l.Period, us(l.UpdatedAt),
				us0(l.Deadline), l.Doc, l.Key, int(l.ExpectStatus)).Scan(&id)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			if l.ExpectStatus == 0 {
				refuse(u, "duplicate")
			} else {
				refuse(u, "conflict")
			}
			return nil
		}
		if err != nil {
			return err
		}
		l.ID = id
	}
	if q := u.Quota; q != nil {
		if q.DeltaFen > 0 {
			tag, err := tx.Exec(ctx, qQuotaAdd, q.BuyerID, q.Year, q.DeltaFen, q.LimitFen)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				refuse(u, "quota")
				l := u.List
				if _, err := tx.Exec(ctx, qListRewrite, int(l.Status), l.Lane, l.ValueFen, l.TaxFen, l.Period, us(l.UpdatedAt),
					us0(l.Deadline), l.Doc, l.Key); err != nil {
					return err
				}
			}
		} else if _, err := tx.Exec(ctx, qQuotaSub, q.DeltaFen, q.BuyerID, q.Year); err != nil {
			return err
		}
	}
	return nil
}

func (s *cbecStore) Docs(ctx context.Context, keys []string) (map[string]ecommerce.DocRow, error) {
	out := map[string]ecommerce.DocRow{}
	rows, err := s.pool.Query(ctx, `SELECT k, kind, at, doc FROM cbec_docs WHERE k = ANY($1)`, keys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d ecommerce.DocRow
		var kind string
		var at int64
		if err := rows.Scan(&d.Key, &kind, &at, &d.Doc); err != nil {
			return nil, err
		}
		d.Kind, d.At = ecommerce.Kind(kind), fromUs(at)
		out[d.Key] = d
	}
	return out, rows.Err()
}

func scanList(row pgx.Row, withDoc bool) (ecommerce.ListRow, error) {
	var l ecommerce.ListRow
	var status int
	var decl, upd, dl int64
	dest := []any{&l.ID, &l.Key, &status, &l.Lane, &l.BuyerID, &l.EbpCode, &l.OrderNo, &l.LogisticsNo, &l.AssureCode,
		&l.TradeMode, &l.CustomsCode, &l.ValueFen, &l.TaxFen, &l.Period, &decl, &upd, &dl}
	if withDoc {
		dest = append(dest, &l.Doc)
	}
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return l, jinguan.NotFound("清单", "inventory list")
		}
		return l, err
	}
	l.Status, l.DeclaredAt, l.UpdatedAt, l.Deadline = ecommerce.Status(status), fromUs(decl), fromUs(upd), fromUs0(dl)
	return l, nil
}

func (s *cbecStore) queryLists(ctx context.Context, withDoc bool, where string, args ...any) ([]ecommerce.ListRow, error) {
	cols := listCols
	if withDoc {
		cols += ", doc"
	}
	rows, err := s.pool.Query(ctx, `SELECT `+cols+` FROM cbec_lists `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ecommerce.ListRow
	for rows.Next() {
		l, err := scanList(rows, withDoc)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *cbecStore) Waiting(ctx context.Context) ([]ecommerce.ListRow, error) {
	return s.queryLists(ctx, true, `WHERE status = 120 ORDER BY id`)
}

func (s *cbecStore) List(ctx context.Context, id int64) (ecommerce.ListRow, error) {
	return scanList(s.pool.QueryRow(ctx, `SELECT `+listCols+`, doc FROM cbec_lists WHERE id = $1`, id), true)
}

func (s *cbecStore) ListByKey(ctx context.Context, key string) (ecommerce.ListRow, error) {
	return scanList(s.pool.QueryRow(ctx, `SELECT `+listCols+`, doc FROM cbec_lists WHERE list_key = $1`, key), true)
}

func (s *cbecStore) Lists(ctx context.Context, f ecommerce.Filter) ([]ecommerce.ListRow, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if len(f.Status) > 0 {
		st := make([]int32, len(f.Status))
		for i, x := range f.Status {
			st[i] = int32(x)
		}
		conds = append(conds, `status = ANY(`+arg(st)+`)`)
	}
	if f.BuyerID != "" {
		conds = append(conds, `buyer_id = `+arg(f.BuyerID))
	}
	if f.EbpCode != "" {
		conds = append(conds, `ebp_code = `+arg(f.EbpCode))
	}
	if f.Before > 0 {
		conds = append(conds, `id < `+arg(f.Before))
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return s.queryLists(ctx, false, where+` ORDER BY id DESC LIMIT `+arg(limit))
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func (s *cbecStore) receipts(ctx context.Context, q string, args ...any) ([]ecommerce.Receipt, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ecommerce.Receipt
	for rows.Next() {
		var seq, listID int64
		var body []byte
		if err := rows.Scan(&seq, &listID, &body); err != nil {
			return nil, err
		}
		var r ecommerce.Receipt
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, err
		}
		r.Seq, r.ListID = seq, listID
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *cbecStore) Receipts(ctx context.Context, after int64, limit int) ([]ecommerce.Receipt, error) {
	return s.receipts(ctx, `SELECT seq, list_id, body FROM cbec_receipts WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
}

func (s *cbecStore) ListReceipts(ctx context.Context, id int64) ([]ecommerce.Receipt, error) {
	return s.receipts(ctx, `SELECT seq, list_id, body FROM cbec_receipts WHERE list_id = $1 ORDER BY seq`, id)
}

func (s *cbecStore) Quota(ctx context.Context, buyer string, year int) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT used_fen FROM cbec_quota WHERE buyer_id = $1 AND year = $2`, buyer, year).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func scanPeriod(row pgx.Row) (ecommerce.TaxPeriod, error) {
	var p ecommerce.TaxPeriod
	var paid *int64
	if err := row.Scan(&p.AssureCode, &p.Period, &p.Bills, &p.TaxFen, &paid); err != nil {
		return p, err
	}
	if paid != nil {
		t := fromUs(*paid)
		p.PaidAt = &t
	}
	return p, nil
}

func (s *cbecStore) TaxPeriods(ctx context.Context, assure string) ([]ecommerce.TaxPeriod, error) {
	q := `SELECT assure_code, period, bills, tax_fen, paid_at FROM cbec_tax_periods`
	var args []any
	if assure != "" {
		q, args = q+` WHERE assure_code = $1`, append(args, assure)
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY period DESC, assure_code`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ecommerce.TaxPeriod
	for rows.Next() {
		p, err := scanPeriod(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *cbecStore) PayPeriod(ctx context.Context, assure, period string, at time.Time) (ecommerce.TaxPeriod, error) {
	var p ecommerce.TaxPeriod
	err := (*DB)(s).inTx(ctx, func(w *writeTx) error {
		var err error
		p, err = scanPeriod(w.tx.QueryRow(ctx, `SELECT assure_code, period, bills, tax_fen, paid_at FROM cbec_tax_periods
			WHERE assure_code = $1 AND period = $2 FOR UPDATE`, assure, period))
		if errors.Is(err, pgx.ErrNoRows) {
			return jinguan.NotFound("税款汇总期", "tax period")
		}
		if err != nil {
			return err
		}
		if p.PaidAt != nil {
			return jinguan.Errorf(jinguan.ECONFLICT, "该期税款已缴纳", "the period is already paid")
		}
		if _, err := w.tx.Exec(ctx, `UPDATE cbec_tax_periods SET paid_at = $1 WHERE assure_code = $2 AND period = $3`,
			us(at), assure, period); err != nil {
			return err
		}
		rows, err := w.tx.Query(ctx, `SELECT ref FROM cbec_guarantee_refs WHERE assure_code = $1 AND period = $2 ORDER BY ref`, assure, period)
		if err != nil {
			return err
		}
		refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		t := at.UTC()
		p.PaidAt = &t
		return ecommerce.ReleaseGuarantees(ctx, w, refs, at)
	})
	return p, err
}

func (s *cbecStore) Registrations(ctx context.Context) ([]ecommerce.Registration, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, scc, name_zh, roles FROM cbec_registrations ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ecommerce.Registration
	for rows.Next() {
		var r ecommerce.Registration
		var roles string
		if err := rows.Scan(&r.Code, &r.SCC, &r.NameZH, &roles); err != nil {
			return nil, err
		}
		r.Roles = strings.Split(roles, ",")
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *cbecStore) PutRegistration(ctx context.Context, r ecommerce.Registration) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO cbec_registrations (code, scc, name_zh, roles) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET scc = excluded.scc, name_zh = excluded.name_zh, roles = excluded.roles`,
		r.Code, r.SCC, r.NameZH, strings.Join(r.Roles, ","))
	return err
}

func (s *cbecStore) Cursor(ctx context.Context, name string) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT seq FROM cbec_cursors WHERE name = $1`, name).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func (s *cbecStore) SetCursor(ctx context.Context, name string, seq int64) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO cbec_cursors (name, seq) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET seq = excluded.seq`, name, seq)
	return err
}

func (s *cbecStore) MaxListID(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM cbec_lists`).Scan(&n)
	return n, err
}
