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
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Credit returns the credit store.
func (db *DB) Credit() credit.Store { return (*creditStore)(db) }

type creditStore DB

// tx runs fn in a write transaction on the single writer.
func (s *creditStore) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.txSync(ctx, "", fn)
}

// txSync is tx with the writer's synchronous setting changed for this
// transaction only ("" keeps FULL).
func (s *creditStore) txSync(ctx context.Context, sync string, fn func(*sql.Tx) error) error {
	return (*DB)(s).update(ctx, sync, fn)
}

const eventColumns = `id, scc, kind, on_day, source, reference, amount, intentional, criminal, due_day, until_day,
	department, refers_to, supersedes, declarations, lists, manifests, inspections, note, recorded_at, recorded_by`

func (s *creditStore) AppendEvents(ctx context.Context, es []credit.Event) ([]credit.Event, error) {
	out := make([]credit.Event, len(es))
	copy(out, es)
	if err := s.tx(ctx, func(tx *sql.Tx) error { return insertEvents(ctx, tx, out) }); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *creditStore) AppendEventsOnce(ctx context.Context, key string, es []credit.Event) ([]credit.Event, bool, error) {
	out := make([]credit.Event, len(es))
	copy(out, es)
	fresh := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO credit_batches (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
			key, micros(time.Now()))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		fresh = true
		return insertEvents(ctx, tx, out)
	})
	if err != nil || !fresh {
		return nil, false, err
	}
	return out, true, nil
}

// ClearanceVolumes counts declarations by trader and by the agent of
// another's declaration.
func (s *creditStore) ClearanceVolumes(ctx context.Context, from, to time.Time) ([]credit.Volume, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT scc, count(*), sum(red) FROM (
			SELECT trade_co_scc AS scc, lane = 'red' AS red FROM declarations WHERE declared_at >= ?1 AND declared_at < ?2
			UNION ALL
			SELECT agent_scc, lane = 'red' FROM declarations WHERE declared_at >= ?1 AND declared_at < ?2
				AND agent_scc <> '' AND agent_scc <> trade_co_scc)
		GROUP BY scc ORDER BY scc`, micros(from), micros(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []credit.Volume
	for rows.Next() {
		var v credit.Volume
		if err := rows.Scan(&v.SCC, &v.Declarations, &v.Inspections); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// insertEvents stores es in tx and sets their ids.
func insertEvents(ctx context.Context, tx *sql.Tx, es []credit.Event) error {
	if len(es) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO credit_events (`+eventColumns[4:]+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := range es {
		e := &es[i]
		var intent, decl, lists, man, insp any
		if e.Intentional != nil {
			intent = *e.Intentional
		}
		if c := e.Counts; c != nil {
			decl, lists, man, insp = c.Declarations, c.Lists, c.Manifests, c.Inspections
		}
		res, err := st.ExecContext(ctx, e.SCC, string(e.Kind), int64(e.On), e.Source, e.Reference, e.Amount.String(),
			intent, e.Criminal, int64(e.DueOn), int64(e.Until), e.Department, e.RefersTo, e.Supersedes,
			decl, lists, man, insp, e.Note, micros(e.RecordedAt), e.RecordedBy)
		if err != nil {
			return err
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	return nil
}

// FollowClearance takes pending declaration events from credit_feed,
// stores the credit events fn makes of them and deletes the feed rows,
// all in one transaction. It commits without waiting for the disk: what
// it stores derives from committed declaration events, a crash takes the
// feed rows' deletion back with it, and any later full commit (a grade
// change) makes it durable first.
func (s *creditStore) FollowClearance(ctx context.Context, limit int, fn func([]credit.ClearanceEvent) []credit.Event) ([]credit.Event, int, error) {
	var stored []credit.Event
	n := 0
	err := s.txSync(ctx, "NORMAL", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT f.declaration_id, f.seq, e.action, e.reason, e.at, d.entry_id, d.trade_co_scc, d.agent_scc
			FROM credit_feed f JOIN declaration_events e ON e.declaration_id = f.declaration_id AND e.seq = f.seq
			JOIN declarations d ON d.id = f.declaration_id ORDER BY f.declaration_id, f.seq LIMIT ?`, limit)
		if err != nil {
			return err
		}
		var ces []credit.ClearanceEvent
		for rows.Next() {
			var c credit.ClearanceEvent
			var at int64
			if err := rows.Scan(&c.DeclarationID, &c.Seq, &c.Action, &c.Reason, &at, &c.EntryID, &c.Trader, &c.Agent); err != nil {
				rows.Close()
				return err
			}
			c.At = fromMicros(at)
			ces = append(ces, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ces) == 0 {
			return err
		}
		stored = fn(ces)
		if err := insertEvents(ctx, tx, stored); err != nil {
			return err
		}
		for _, c := range ces {
			if _, err := tx.ExecContext(ctx, `DELETE FROM credit_feed WHERE declaration_id = ? AND seq = ?`, c.DeclarationID, c.Seq); err != nil {
				return err
			}
		}
		n = len(ces)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return stored, n, nil
}

func scanEvent(row interface{ Scan(...any) error }, e *credit.Event) error {
	var on, due, until, at int64
	var amount string
	var intent sql.NullBool
	var decl, lists, man, insp sql.NullInt64
	*e = credit.Event{}
	if err := row.Scan(&e.ID, &e.SCC, &e.Kind, &on, &e.Source, &e.Reference, &amount, &intent, &e.Criminal, &due, &until,
		&e.Department, &e.RefersTo, &e.Supersedes, &decl, &lists, &man, &insp, &e.Note, &at, &e.RecordedBy); err != nil {
		return err
	}
	e.On, e.DueOn, e.Until, e.RecordedAt = credit.Date(on), credit.Date(due), credit.Date(until), fromMicros(at)
	if intent.Valid {
		e.Intentional = &intent.Bool
	}
	if decl.Valid {
		e.Counts = &credit.Counts{Declarations: int(decl.Int64), Lists: int(lists.Int64), Manifests: int(man.Int64), Inspections: int(insp.Int64)}
	}
	var err error
	e.Amount, err = decimal.NewFromString(amount)
	return err
}

func (s *creditStore) Events(ctx context.Context, scc string) ([]credit.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM credit_events WHERE scc = ? ORDER BY id`, scc)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []credit.Event{}
	for rows.Next() {
		var e credit.Event
		if err := scanEvent(rows, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *creditStore) ScanEvents(ctx context.Context, after int64, fn func(*credit.Event) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM credit_events WHERE id > ? ORDER BY id`, after)
	if err != nil {
		return err
	}
	defer rows.Close()
	var e credit.Event
	for rows.Next() {
		if err := scanEvent(rows, &e); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *creditStore) ScanSubjects(ctx context.Context, since time.Time, fn func(credit.Subject) error) error {
	q, args := `SELECT scc, roles, registered_at, aeo FROM enterprises ORDER BY scc`, []any{}
	if !since.IsZero() {
		q, args = `SELECT scc, roles, registered_at, aeo FROM enterprises WHERE updated_at >= ? ORDER BY scc`, []any{micros(since)}
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var scc, roles string
		var reg int64
		var aeoDoc sql.NullString
		if err := rows.Scan(&scc, &roles, &reg, &aeoDoc); err != nil {
			return err
		}
		var rs []string
		var aeo *enterprise.AEOCertificate
		if err := json.Unmarshal([]byte(roles), &rs); err != nil {
			return err
		}
		if aeoDoc.Valid {
			if err := json.Unmarshal([]byte(aeoDoc.String), &aeo); err != nil {
				return err
			}
		}
		if err := fn(credit.SubjectOf(scc, rs, fromMicros(reg), aeo)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PutResults upserts in statements of many rows: a million results are
// written in a few seconds rather than a minute. Results are derived from
// the record and recomputed by every run, so their commit does not wait
// for the disk (synchronous=NORMAL); the next full commit — the grade
// changes, written before them — makes them durable.
func (s *creditStore) PutResults(ctx context.Context, rs []credit.Result) error {
	if len(rs) == 0 {
		return nil
	}
	const per = 2000
	return s.txSync(ctx, "NORMAL", func(tx *sql.Tx) error {
		var full *sql.Stmt
		defer func() {
			if full != nil {
				full.Close()
			}
		}()
		for len(rs) > 0 {
			n := min(per, len(rs))
			q := `INSERT INTO credit_results (scc, grade, score, on_day) VALUES ` +
				strings.Repeat(`(?, ?, ?, ?), `, n-1) + `(?, ?, ?, ?) ON CONFLICT (scc) DO UPDATE SET
				grade = excluded.grade, score = excluded.score, on_day = excluded.on_day`
			args := make([]any, 0, 4*n)
			for _, r := range rs[:n] {
				args = append(args, r.SCC, r.Grade.Code(), r.Score, int64(r.On))
			}
			var err error
			if n == per {
				if full == nil {
					if full, err = tx.PrepareContext(ctx, q); err != nil {
						return err
					}
				}
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, q, args...)
			}
			if err != nil {
				return err
			}
			rs = rs[n:]
		}
		return nil
	})
}

func (s *creditStore) ScanResults(ctx context.Context, fn func(credit.Result) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT scc, grade, score, on_day FROM credit_results`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r credit.Result
		var grade string
		var on int64
		if err := rows.Scan(&r.SCC, &grade, &r.Score, &on); err != nil {
			return err
		}
		r.On = credit.Date(on)
		if err := r.Grade.UnmarshalText([]byte(grade)); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *creditStore) AppendGradeChanges(ctx context.Context, cs []credit.GradeChange) error {
	if len(cs) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO credit_grade_changes (scc, from_grade, to_grade, on_day, at,
			cause, by_user, score, grounds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, c := range cs {
			g, err := json.Marshal(c.Grounds)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, c.SCC, c.From.Code(), c.To.Code(), int64(c.On), micros(c.At), c.Cause, c.By,
				c.Score, string(g)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *creditStore) GradeChanges(ctx context.Context, scc string, limit int) ([]credit.GradeChange, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q := `SELECT id, scc, from_grade, to_grade, on_day, at, cause, by_user, score, grounds FROM credit_grade_changes`
	args := []any{}
	if scc != "" {
		q, args = q+` WHERE scc = ?`, append(args, scc)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []credit.GradeChange{}
	for rows.Next() {
		var c credit.GradeChange
		var from, to, grounds string
		var on, at int64
		if err := rows.Scan(&c.ID, &c.SCC, &from, &to, &on, &at, &c.Cause, &c.By, &c.Score, &grounds); err != nil {
			return nil, err
		}
		c.On, c.At = credit.Date(on), fromMicros(at)
		if err := errors.Join(c.From.UnmarshalText([]byte(from)), c.To.UnmarshalText([]byte(to)),
			json.Unmarshal([]byte(grounds), &c.Grounds)); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *creditStore) AppendRegistryChange(ctx context.Context, c *credit.RegistryChange) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return insertDoc(ctx, tx, `INSERT INTO enterprise_changes (scc, at, by_user, doc) VALUES (?, ?, ?, '')`,
			[]any{c.SCC, micros(c.At), c.By}, "enterprise_changes", &c.ID, c)
	})
}

func (s *creditStore) RegistryChanges(ctx context.Context, scc string) ([]credit.RegistryChange, error) {
	return docs[credit.RegistryChange](ctx, s.r, `SELECT doc FROM enterprise_changes WHERE scc = ? ORDER BY id DESC LIMIT 200`, scc)
}

// insertDoc inserts a row whose doc column is v as JSON, carrying the id
// the insert assigned (set through id first).
func insertDoc(ctx context.Context, tx *sql.Tx, insert string, args []any, table string, id *int64, v any) error {
	res, err := tx.ExecContext(ctx, insert, args...)
	if err != nil {
		return err
	}
	if *id, err = res.LastInsertId(); err != nil {
		return err
	}
	doc, err := json.Marshal(v)
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET doc = ? WHERE id = ?`, string(doc), *id)
	}
	return err
}

// docs reads rows of one JSON document column.
func docs[T any](ctx context.Context, db *sql.DB, q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var doc []byte
		var v T
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *creditStore) PutRepair(ctx context.Context, r *credit.Repair) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return insertDoc(ctx, tx, `INSERT INTO credit_repairs (scc, status, applied_at, doc) VALUES (?, ?, ?, '')`,
			[]any{r.SCC, string(r.Status), micros(r.AppliedAt)}, "credit_repairs", &r.ID, r)
	})
}

func (s *creditStore) UpdateRepair(ctx context.Context, id int64, fn func(*credit.Repair) error) (credit.Repair, error) {
	var r credit.Repair
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var doc string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM credit_repairs WHERE id = ?`, id).Scan(&doc); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return repairNotFound()
			}
			return err
		}
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		b, err := json.Marshal(&r)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE credit_repairs SET status = ?, doc = ? WHERE id = ?`, string(r.Status), string(b), id)
		return err
	})
	return r, err
}

func repairNotFound() error { return jinguan.NotFound("信用修复申请", "repair application") }

func (s *creditStore) Repair(ctx context.Context, id int64) (credit.Repair, error) {
	var r credit.Repair
	var doc string
	if err := s.r.QueryRowContext(ctx, `SELECT doc FROM credit_repairs WHERE id = ?`, id).Scan(&doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, repairNotFound()
		}
		return r, err
	}
	return r, json.Unmarshal([]byte(doc), &r)
}

func (s *creditStore) Repairs(ctx context.Context, f credit.RepairFilter) ([]credit.Repair, error) {
	var where []string
	var args []any
	if f.SCC != "" {
		where, args = append(where, `scc = ?`), append(args, f.SCC)
	}
	if f.Status != "" {
		where, args = append(where, `status = ?`), append(args, string(f.Status))
	}
	if f.Area != "" {
		where = append(where, `scc IN (SELECT scc FROM enterprises WHERE customs >= ? AND customs < ?)`)
		args = append(args, f.Area, f.Area+"\xff")
	}
	q := `SELECT doc FROM credit_repairs`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit == 0 || limit > 1000 {
		limit = 1000
	}
	if limit < 0 {
		limit = -1 // SQLite: no limit
	}
	return docs[credit.Repair](ctx, s.r, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
}

func (s *creditStore) Certify(ctx context.Context, c *credit.Certification) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var prevDoc sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT aeo FROM enterprises WHERE scc = ?`, c.SCC).Scan(&prevDoc); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return jinguan.NotFound("企业", "enterprise")
			}
			return err
		}
		var prev *enterprise.AEOCertificate
		if prevDoc.Valid {
			if err := json.Unmarshal([]byte(prevDoc.String), &prev); err != nil {
				return err
			}
		}
		next, err := jsonOrNull(c.Certificate(prev), false)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE enterprises SET aeo = ?, updated_at = ?, updated_by = ? WHERE scc = ?`,
			next, micros(c.DecidedAt), c.DecidedBy, c.SCC); err != nil {
			return err
		}
		return insertDoc(ctx, tx, `INSERT INTO credit_certifications (scc, decided_at, doc) VALUES (?, ?, '')`,
			[]any{c.SCC, micros(c.DecidedAt)}, "credit_certifications", &c.ID, c)
	})
}

func (s *creditStore) Certifications(ctx context.Context, scc string) ([]credit.Certification, error) {
	return docs[credit.Certification](ctx, s.r, `SELECT doc FROM credit_certifications WHERE scc = ? ORDER BY id`, scc)
}
