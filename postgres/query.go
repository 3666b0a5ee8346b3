package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
)

func (s *declStore) Get(ctx context.Context, id int64) (*declaration.Declaration, error) {
	return scanDoc(s.pool.QueryRow(ctx, `SELECT doc, body_hash FROM declarations WHERE id = $1`, id))
}

func (s *declStore) List(ctx context.Context, f declaration.Filter) ([]declaration.Summary, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	queue := f.Order == declaration.OrderPriority
	switch {
	case f.Cursor != "" && queue:
		prio, last, err := declaration.DecodeQueueCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, `(priority, id) < (`+arg(prio)+`, `+arg(last)+`)`)
	case f.Cursor != "":
		last, err := declaration.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, `id < `+arg(last))
	}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, x := range f.Status {
			st[i] = string(x)
		}
		where = append(where, `status = ANY (`+arg(st)+`)`)
	}
	if f.Lane != "" {
		where = append(where, `lane = `+arg(string(f.Lane)))
	}
	if f.IEFlag != "" {
		where = append(where, `ie_flag = `+arg(f.IEFlag))
	}
	if f.Trader != "" {
		where = append(where, `trade_co_scc = `+arg(f.Trader))
	}
	if f.Enterprise != "" {
		p := arg(f.Enterprise)
		where = append(where, `(trade_co_scc = `+p+` OR owner_scc = `+p+` OR agent_scc = `+p+`)`)
	}
	if f.Office != "" {
		where = append(where, `custom_master = `+arg(f.Office))
	}
	if f.OfficeArea != "" {
		lo, hi := declaration.PrefixRange(f.OfficeArea)
		where = append(where, `custom_master >= `+arg(lo)+` AND custom_master < `+arg(hi))
	}
	if f.HSPrefix != "" {
		lo, hi, err := declaration.HSRange(f.HSPrefix)
		if err != nil {
			return nil, "", err
		}
		// A range on the "C"-collated column rather than LIKE: it uses the
		// code_ts index and needs no escaping.
		where = append(where, `id IN (SELECT declaration_id FROM declaration_items WHERE code_ts >= `+
			arg(lo)+` AND code_ts < `+arg(hi)+`)`)
	}
	if !f.From.IsZero() {
		where = append(where, `declared_at >= `+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, `declared_at < `+arg(f.To))
	}
	limit := declaration.PageLimit(f.Limit)
	q := `SELECT id, entry_id, status, lane, ie_flag, custom_master, trade_co_scc, trade_name,
		agent_scc, trade_mode, item_count, tax_total::text, declared_at, updated_at, priority FROM declarations`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	order := ` ORDER BY id DESC`
	if queue {
		order = ` ORDER BY priority DESC, id DESC`
	}
	q += order + ` LIMIT ` + arg(limit+1) // one more tells whether a next page exists
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := make([]declaration.Summary, 0, min(limit, 64))
	for rows.Next() {
		var m declaration.Summary
		var tax *string
		if err := rows.Scan(&m.ID, &m.EntryID, &m.Status, &m.Lane, &m.IEFlag, &m.CustomMaster,
			&m.TradeCoScc, &m.TradeName, &m.AgentCodeScc, &m.TradeMode, &m.ItemCount, &tax,
			&m.DeclaredAt, &m.UpdatedAt, &m.Priority); err != nil {
			return nil, "", err
		}
		if tax != nil {
			if m.TaxTotal, err = decimal.NewFromString(*tax); err != nil {
				return nil, "", err
			}
		}
		m.DeclaredAt, m.UpdatedAt = m.DeclaredAt.UTC(), m.UpdatedAt.UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = declaration.EncodeCursor(out[limit-1].ID)
		if queue {
			next = declaration.EncodeQueueCursor(out[limit-1].Priority, out[limit-1].ID)
		}
	}
	return out, next, nil
}

func (s *declStore) Events(ctx context.Context, id int64) ([]declaration.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, action, from_status, to_status, actor, role, at,
		reason, data FROM declaration_events WHERE declaration_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (declaration.Event, error) {
		e := declaration.Event{DeclarationID: id}
		var data []byte
		err := row.Scan(&e.Seq, &e.Action, &e.From, &e.To, &e.Actor, &e.Role, &e.At, &e.Reason, &data)
		e.At = e.At.UTC()
		if data != nil {
			e.Data = data
		}
		return e, err
	})
}

// Pending returns all matches when limit <= 0.
func (s *declStore) Pending(ctx context.Context, statuses []declaration.Status, limit int) ([]int64, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	st := make([]string, len(statuses))
	for i, x := range statuses {
		st[i] = string(x)
	}
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM declarations WHERE status = ANY ($1) ORDER BY id LIMIT $2`, st, lim)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func (s *declStore) CountByStatus(ctx context.Context) (map[declaration.Status]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM declarations GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[declaration.Status]int{}
	for rows.Next() {
		var st declaration.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
