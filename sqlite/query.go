package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan/declaration"
)

func (s *declStore) Get(ctx context.Context, id int64) (*declaration.Declaration, error) {
	return scanDoc(s.rget.QueryRowContext(ctx, id))
}

func (s *declStore) List(ctx context.Context, f declaration.Filter) ([]declaration.Summary, string, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	queue := f.Order == declaration.OrderPriority
	switch {
	case f.Cursor != "" && queue:
		prio, last, err := declaration.DecodeQueueCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		add(`(priority < ? OR priority = ? AND id < ?)`, prio, prio, last)
	case f.Cursor != "":
		last, err := declaration.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		add(`id < ?`, last)
	}
	if len(f.Status) > 0 {
		ph := strings.Repeat(", ?", len(f.Status))[2:]
		for _, st := range f.Status {
			args = append(args, string(st))
		}
		where = append(where, `status IN (`+ph+`)`)
	}
	if f.Lane != "" {
		add(`lane = ?`, string(f.Lane))
	}
	if f.IEFlag != "" {
		add(`ie_flag = ?`, f.IEFlag)
	}
	if f.Trader != "" {
		add(`trade_co_scc = ?`, f.Trader)
	}
	if f.Enterprise != "" {
		// Spelled as a union so that each party's index drives the lookup;
		// the plain OR makes SQLite scan in id order.
		add(`id IN (SELECT id FROM declarations WHERE trade_co_scc = ? UNION ALL
			SELECT id FROM declarations WHERE owner_scc = ? UNION ALL
			SELECT id FROM declarations WHERE agent_scc = ?)`, f.Enterprise, f.Enterprise, f.Enterprise)
	}
	if f.Office != "" {
		add(`custom_master = ?`, f.Office)
	}
	if f.OfficeArea != "" {
		lo, hi := declaration.PrefixRange(f.OfficeArea)
		add(`custom_master >= ? AND custom_master < ?`, lo, hi)
	}
	if f.HSPrefix != "" {
		lo, hi, err := declaration.HSRange(f.HSPrefix)
		if err != nil {
			return nil, "", err
		}
		// A range rather than LIKE: it uses the code_ts index under any
		// collation and needs no escaping.
		add(`id IN (SELECT declaration_id FROM declaration_items WHERE code_ts >= ? AND code_ts < ?)`, lo, hi)
	}
	if !f.From.IsZero() {
		add(`declared_at >= ?`, micros(f.From))
	}
	if !f.To.IsZero() {
		add(`declared_at < ?`, micros(f.To))
	}
	limit := declaration.PageLimit(f.Limit)
	q := `SELECT id, entry_id, status, lane, ie_flag, custom_master, trade_co_scc, trade_name,
		agent_scc, trade_mode, item_count, tax_total, declared_at, updated_at, priority FROM declarations`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if queue {
		q += ` ORDER BY priority DESC, id DESC LIMIT ?`
	} else {
		q += ` ORDER BY id DESC LIMIT ?`
	}
	args = append(args, limit+1) // one more tells whether a next page exists
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := make([]declaration.Summary, 0, min(limit, 64))
	for rows.Next() {
		var m declaration.Summary
		var tax sql.NullString
		var declared, updated int64
		if err := rows.Scan(&m.ID, &m.EntryID, &m.Status, &m.Lane, &m.IEFlag, &m.CustomMaster,
			&m.TradeCoScc, &m.TradeName, &m.AgentCodeScc, &m.TradeMode, &m.ItemCount, &tax,
			&declared, &updated, &m.Priority); err != nil {
			return nil, "", err
		}
		if tax.Valid {
			if m.TaxTotal, err = decimal.NewFromString(tax.String); err != nil {
				return nil, "", err
			}
		}
		m.DeclaredAt, m.UpdatedAt = fromMicros(declared), fromMicros(updated)
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
	rows, err := s.r.QueryContext(ctx, `SELECT seq, action, from_status, to_status, actor, role, at,
		reason, data FROM declaration_events WHERE declaration_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []declaration.Event
	for rows.Next() {
		e := declaration.Event{DeclarationID: id}
		var at int64
		var data sql.NullString
		if err := rows.Scan(&e.Seq, &e.Action, &e.From, &e.To, &e.Actor, &e.Role, &at, &e.Reason, &data); err != nil {
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

// Pending returns all matches when limit <= 0.
func (s *declStore) Pending(ctx context.Context, statuses []declaration.Status, limit int) ([]int64, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(statuses)+1)
	for _, st := range statuses {
		args = append(args, string(st))
	}
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM declarations WHERE status IN (`+
		strings.Repeat(", ?", len(statuses))[2:]+`) ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *declStore) CountByStatus(ctx context.Context) (map[declaration.Status]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT status, count(*) FROM declarations GROUP BY status`)
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
