package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/risk"
)

// Risk returns the risk registry and facts store.
func (db *DB) Risk() risk.Store { return (*riskStore)(db) }

type riskStore DB

// write runs fn in an IMMEDIATE transaction under the writer lock; bump
// advances the generation the engines poll.
func (s *riskStore) write(ctx context.Context, bump bool, fn func(tx *sql.Tx) error) error {
	return (*DB)(s).update(ctx, "", func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return mapErr(err)
		}
		if bump {
			_, err := tx.ExecContext(ctx, `UPDATE risk_state SET value = value + 1 WHERE name = 'generation'`)
			return err
		}
		return nil
	})
}

func profileConflict(id string, version int) error {
	return jinguan.Errorf(jinguan.ECONFLICT, "布控规则 %s 版本 %d 已被修改，请重试",
		"profile %s version %d was changed meanwhile; try again", id, version)
}

func (s *riskStore) WriteProfiles(ctx context.Context, w risk.ProfileWrite) error {
	bump := false
	for _, p := range w.Insert {
		bump = bump || p.Status == risk.Active
	}
	for _, c := range w.Status {
		bump = bump || c.From == risk.Active || c.To == risk.Active
	}
	return s.write(ctx, bump, func(tx *sql.Tx) error {
		for _, p := range w.Insert {
			doc, err := json.Marshal(p)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO risk_profiles (id, version, status, updated_at, doc)
				VALUES (?, ?, ?, ?, ?)`, p.ID, p.Version, string(p.Status), micros(p.CreatedAt), string(doc)); err != nil {
				return err
			}
		}
		for _, c := range w.Status {
			var status string
			var doc []byte
			err := tx.QueryRowContext(ctx, `SELECT status, doc FROM risk_profiles WHERE id = ? AND version = ?`,
				c.ID, c.Version).Scan(&status, &doc)
			if errors.Is(err, sql.ErrNoRows) || status != string(c.From) {
				return profileConflict(c.ID, c.Version)
			} else if err != nil {
				return err
			}
			doc, err = risk.StatusDoc(doc, c)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE risk_profiles SET status = ?, updated_at = ?, doc = ?
				WHERE id = ? AND version = ?`, string(c.To), micros(c.At), string(doc), c.ID, c.Version); err != nil {
				return err
			}
		}
		for _, e := range w.Events {
			if _, err := tx.ExecContext(ctx, `INSERT INTO risk_profile_events (profile_id, version, action, actor, role, at, reason)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ProfileID, e.Version, e.Action, e.Actor, e.Role, micros(e.At), e.Reason); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanProfiles(rows *sql.Rows, err error) ([]risk.Profile, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.Profile
	for rows.Next() {
		var status string
		var doc []byte
		if err := rows.Scan(&status, &doc); err != nil {
			return nil, err
		}
		var p risk.Profile
		if err := json.Unmarshal(doc, &p); err != nil {
			return nil, err
		}
		p.Status = risk.Status(status)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *riskStore) ProfileVersions(ctx context.Context, id string) ([]risk.Profile, error) {
	ps, err := scanProfiles(s.r.QueryContext(ctx, `SELECT status, doc FROM risk_profiles WHERE id = ? ORDER BY version`, id))
	if err == nil && len(ps) == 0 {
		return nil, jinguan.NotFound("布控规则 "+id, "profile "+id)
	}
	return ps, err
}

func (s *riskStore) Profiles(ctx context.Context, activeOnly bool) ([]risk.Profile, error) {
	if activeOnly {
		return scanProfiles(s.r.QueryContext(ctx, `SELECT status, doc FROM risk_profiles WHERE status = 'active' ORDER BY id, version`))
	}
	return scanProfiles(s.r.QueryContext(ctx, `SELECT status, doc FROM risk_profiles p
		WHERE status = 'active' OR version = (SELECT max(version) FROM risk_profiles WHERE id = p.id) ORDER BY id, version`))
}

func (s *riskStore) ProfileEvents(ctx context.Context, id string) ([]risk.ProfileEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT profile_id, version, action, actor, role, at, reason
		FROM risk_profile_events WHERE profile_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.ProfileEvent
	for rows.Next() {
		var e risk.ProfileEvent
		var at int64
		if err := rows.Scan(&e.ProfileID, &e.Version, &e.Action, &e.Actor, &e.Role, &at, &e.Reason); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *riskStore) PutList(ctx context.Context, l risk.WatchList) error {
	doc, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return s.write(ctx, true, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO risk_lists (name, updated_at, doc) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc`,
			l.Name, micros(l.UpdatedAt), string(doc))
		return err
	})
}

func (s *riskStore) DeleteList(ctx context.Context, name string) error {
	return s.write(ctx, true, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM risk_lists WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return jinguan.NotFound("布控清单 "+name, "watch-list "+name)
		}
		return nil
	})
}

func (s *riskStore) WatchLists(ctx context.Context) ([]risk.WatchList, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM risk_lists ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.WatchList
	for rows.Next() {
		var doc []byte
		var l risk.WatchList
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *riskStore) PutRefPrices(ctx context.Context, ps []risk.RefPrice) error {
	return s.write(ctx, true, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM risk_ref_prices`); err != nil {
			return err
		}
		for _, p := range ps {
			var to any
			if !p.ValidTo.IsZero() {
				to = micros(p.ValidTo)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO risk_ref_prices (code, origin, valid_from, valid_to, price, source)
				VALUES (?, ?, ?, ?, ?, ?)`, p.Code, p.Origin, micros(p.ValidFrom), to, p.Price.String(), p.Source); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *riskStore) RefPrices(ctx context.Context) ([]risk.RefPrice, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT code, origin, valid_from, valid_to, price, source
		FROM risk_ref_prices ORDER BY code, origin, valid_from`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.RefPrice
	for rows.Next() {
		var p risk.RefPrice
		var from int64
		var to sql.NullInt64
		var price string
		if err := rows.Scan(&p.Code, &p.Origin, &from, &to, &price, &p.Source); err != nil {
			return nil, err
		}
		p.ValidFrom = fromMicros(from)
		if to.Valid {
			p.ValidTo = fromMicros(to.Int64)
		}
		if p.Price, err = decimal.NewFromString(price); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *riskStore) Generation(ctx context.Context) (int64, error) {
	var g int64
	err := s.r.QueryRowContext(ctx, `SELECT value FROM risk_state WHERE name = 'generation'`).Scan(&g)
	return g, err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func (s *riskStore) FeedPending(ctx context.Context) (bool, error) {
	var pending bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM risk_feed f
		JOIN declaration_events e ON e.declaration_id = f.declaration_id AND e.seq = f.seq
		JOIN declarations d ON d.id = f.declaration_id)`).Scan(&pending)
	return pending, err
}

func (s *riskStore) ProjectFacts(ctx context.Context, limit int, apply func([]risk.FactEvent, map[int64]*risk.Fact) ([]*risk.Fact, error)) (int, error) {
	n := 0
	// The facts derive from committed events, and taking the feed rows is
	// in the same transaction: a crash sets both back together, so the
	// commit need not wait for the disk.
	err := (*DB)(s).update(ctx, "NORMAL", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT f.declaration_id, f.seq, e.action, e.at, e.data, d.trade_co_scc, d.agent_scc
			FROM risk_feed f JOIN declaration_events e ON e.declaration_id = f.declaration_id AND e.seq = f.seq
			JOIN declarations d ON d.id = f.declaration_id ORDER BY f.declaration_id, f.seq LIMIT ?`, limit)
		if err != nil {
			return err
		}
		var evs []risk.FactEvent
		var ids []any
		for rows.Next() {
			var e risk.FactEvent
			var at int64
			var action string
			if err := rows.Scan(&e.DeclarationID, &e.Seq, &action, &at, &e.Data, &e.Trader, &e.Agent); err != nil {
				rows.Close()
				return err
			}
			e.Action, e.At = declaration.Action(action), fromMicros(at)
			if len(ids) == 0 || ids[len(ids)-1] != any(e.DeclarationID) {
				ids = append(ids, e.DeclarationID)
			}
			evs = append(evs, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(evs) == 0 {
			return err
		}
		codes := map[int64][]string{}
		rows, err = tx.QueryContext(ctx, `SELECT declaration_id, code_ts FROM declaration_items
			WHERE declaration_id IN (`+placeholders(len(ids))+`) ORDER BY declaration_id, g_no`, ids...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return err
			}
			codes[id] = append(codes[id], code)
		}
		rows.Close()
		for i := range evs {
			evs[i].Codes = codes[evs[i].DeclarationID]
		}
		cur := map[int64]*risk.Fact{}
		rows, err = tx.QueryContext(ctx, `SELECT doc FROM risk_facts WHERE declaration_id IN (`+placeholders(len(ids))+`)`, ids...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var doc []byte
			f := &risk.Fact{}
			if err := rows.Scan(&doc); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal(doc, f); err != nil {
				rows.Close()
				return err
			}
			cur[f.DeclarationID] = f
		}
		rows.Close()
		facts, err := apply(evs, cur)
		if err != nil {
			return err
		}
		// Prepared once a batch: preparing is most of a statement's cost.
		upsert, err := tx.PrepareContext(ctx, `INSERT INTO risk_facts (declaration_id, decided_at, trader, agent, inspected,
			finding, inspected_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (declaration_id) DO UPDATE SET
			decided_at = excluded.decided_at, trader = excluded.trader, agent = excluded.agent, inspected = excluded.inspected,
			finding = excluded.finding, inspected_at = excluded.inspected_at, doc = excluded.doc`)
		if err != nil {
			return err
		}
		defer upsert.Close()
		for _, f := range facts {
			c, err := risk.FactRow(f)
			if err != nil {
				return err
			}
			var inspectedAt any
			if c.Inspected == 1 {
				inspectedAt = micros(c.CheckedAt)
			}
			if _, err := upsert.ExecContext(ctx, f.DeclarationID, micros(f.DecidedAt), f.Trader, f.Agent, c.Inspected,
				c.Finding, inspectedAt, string(c.Doc)); err != nil {
				return err
			}
		}
		del, err := tx.PrepareContext(ctx, `DELETE FROM risk_feed WHERE declaration_id = ? AND seq = ?`)
		if err != nil {
			return err
		}
		defer del.Close()
		for _, e := range evs {
			if _, err := del.ExecContext(ctx, e.DeclarationID, e.Seq); err != nil {
				return err
			}
		}
		n = len(evs)
		return nil
	})
	return n, err
}

func (s *riskStore) Facts(ctx context.Context, from, to time.Time) ([]risk.Fact, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM risk_facts WHERE decided_at >= ? AND decided_at < ?
		ORDER BY declaration_id`, micros(from), micros(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.Fact
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var f risk.Fact
		if err := json.Unmarshal(doc, &f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *riskStore) PartyCounts(ctx context.Context, from time.Time) (map[string]risk.PartyHistory, map[string]risk.PartyHistory, error) {
	count := func(col string) (map[string]risk.PartyHistory, error) {
		rows, err := s.r.QueryContext(ctx, `SELECT `+col+`, count(*), sum(inspected), sum(finding),
			max(CASE WHEN finding = 1 THEN inspected_at END) FROM risk_facts WHERE decided_at >= ? GROUP BY `+col, micros(from))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]risk.PartyHistory{}
		for rows.Next() {
			var scc string
			var h risk.PartyHistory
			var last sql.NullInt64
			if err := rows.Scan(&scc, &h.Declarations, &h.Inspections, &h.Findings, &last); err != nil {
				return nil, err
			}
			if last.Valid {
				h.LastFinding = fromMicros(last.Int64)
			}
			out[scc] = h
		}
		return out, rows.Err()
	}
	traders, err := count("trader")
	if err != nil {
		return nil, nil, err
	}
	agents, err := count("agent")
	return traders, agents, err
}
