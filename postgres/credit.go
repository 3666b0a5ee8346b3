package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Credit returns the credit store.
func (db *DB) Credit() credit.Store { return (*creditStore)(db) }

type creditStore DB

// pgDate is a credit day as PostgreSQL's date; the zero Date is NULL.
func pgDate(d credit.Date) any {
	if d == 0 {
		return nil
	}
	return time.Unix(int64(d)*86400, 0).UTC()
}

func fromPgDate(t *time.Time) credit.Date {
	if t == nil {
		return 0
	}
	return credit.Date(t.Unix() / 86400)
}

const eventColumns = `id, scc, kind, on_day, source, reference, amount::text, intentional, criminal, due_day, until_day,
	department, refers_to, supersedes, declarations, lists, manifests, inspections, note, recorded_at, recorded_by`

func (s *creditStore) AppendEvents(ctx context.Context, es []credit.Event) ([]credit.Event, error) {
	out := make([]credit.Event, len(es))
	copy(out, es)
	if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return insertEvents(ctx, tx, out) }); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *creditStore) AppendEventsOnce(ctx context.Context, key string, es []credit.Event) ([]credit.Event, bool, error) {
	out := make([]credit.Event, len(es))
	copy(out, es)
	fresh := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO credit_batches (key, at) VALUES ($1, now()) ON CONFLICT (key) DO NOTHING`, key)
		if err != nil || tag.RowsAffected() == 0 {
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
	rows, err := s.pool.Query(ctx, `SELECT scc, count(*)::int, count(*) FILTER (WHERE red)::int FROM (
			SELECT trade_co_scc AS scc, lane = 'red' AS red FROM declarations WHERE declared_at >= $1 AND declared_at < $2
			UNION ALL
			SELECT agent_scc, lane = 'red' FROM declarations WHERE declared_at >= $1 AND declared_at < $2
				AND agent_scc <> '' AND agent_scc <> trade_co_scc) x
		GROUP BY scc ORDER BY scc COLLATE "C"`, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Volume, error) {
		var v credit.Volume
		err := row.Scan(&v.SCC, &v.Declarations, &v.Inspections)
		return v, err
	})
}

// insertEvents stores es in tx and sets their ids.
func insertEvents(ctx context.Context, tx pgx.Tx, es []credit.Event) error {
	if len(es) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for i := range es {
		e := &es[i]
		var decl, lists, man, insp any
		if c := e.Counts; c != nil {
			decl, lists, man, insp = c.Declarations, c.Lists, c.Manifests, c.Inspections
		}
		b.Queue(`INSERT INTO credit_events (scc, kind, on_day, source, reference, amount, intentional, criminal,
			due_day, until_day, department, refers_to, supersedes, declarations, lists, manifests, inspections, note,
			recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
			$17, $18, $19, $20) RETURNING id`,
			e.SCC, string(e.Kind), pgDate(e.On), e.Source, e.Reference, e.Amount, e.Intentional, e.Criminal,
			pgDate(e.DueOn), pgDate(e.Until), e.Department, e.RefersTo, e.Supersedes, decl, lists, man, insp, e.Note,
			e.RecordedAt, e.RecordedBy).QueryRow(func(row pgx.Row) error { return row.Scan(&e.ID) })
	}
	return tx.SendBatch(ctx, b).Close()
}

// FollowClearance takes pending declaration events from credit_feed (FOR
// UPDATE SKIP LOCKED: nodes share the work), stores the credit events fn
// makes of them and deletes the feed rows, all in one transaction.
func (s *creditStore) FollowClearance(ctx context.Context, limit int, fn func([]credit.ClearanceEvent) []credit.Event) ([]credit.Event, int, error) {
	var stored []credit.Event
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH f AS (SELECT declaration_id, seq FROM credit_feed ORDER BY declaration_id, seq
				LIMIT $1 FOR UPDATE SKIP LOCKED)
			SELECT f.declaration_id, f.seq, e.action, e.reason, e.at, d.entry_id, d.trade_co_scc, d.agent_scc
			FROM f JOIN declaration_events e ON e.declaration_id = f.declaration_id AND e.seq = f.seq
			JOIN declarations d ON d.id = f.declaration_id ORDER BY f.declaration_id, f.seq`, limit)
		if err != nil {
			return err
		}
		ces, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.ClearanceEvent, error) {
			var c credit.ClearanceEvent
			err := row.Scan(&c.DeclarationID, &c.Seq, &c.Action, &c.Reason, &c.At, &c.EntryID, &c.Trader, &c.Agent)
			c.At = c.At.UTC()
			return c, err
		})
		if err != nil || len(ces) == 0 {
			return err
		}
		stored = fn(ces)
		if err := insertEvents(ctx, tx, stored); err != nil {
			return err
		}
		ids, seqs := make([]int64, len(ces)), make([]int32, len(ces))
		for i, c := range ces {
			ids[i], seqs[i] = c.DeclarationID, int32(c.Seq)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM credit_feed f USING unnest($1::bigint[], $2::int[]) AS x(id, seq)
			WHERE f.declaration_id = x.id AND f.seq = x.seq`, ids, seqs); err != nil {
			return err
		}
		n = len(ces)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return stored, n, nil
}

func scanEvent(row pgx.Row, e *credit.Event) error {
	var on time.Time
	var due, until *time.Time
	var amount string
	var decl, lists, man, insp *int
	*e = credit.Event{}
	if err := row.Scan(&e.ID, &e.SCC, &e.Kind, &on, &e.Source, &e.Reference, &amount, &e.Intentional, &e.Criminal,
		&due, &until, &e.Department, &e.RefersTo, &e.Supersedes, &decl, &lists, &man, &insp, &e.Note, &e.RecordedAt,
		&e.RecordedBy); err != nil {
		return err
	}
	e.On, e.DueOn, e.Until, e.RecordedAt = fromPgDate(&on), fromPgDate(due), fromPgDate(until), e.RecordedAt.UTC()
	if decl != nil {
		e.Counts = &credit.Counts{Declarations: *decl, Lists: deref(lists), Manifests: deref(man), Inspections: deref(insp)}
	}
	return e.Amount.UnmarshalText([]byte(amount))
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (s *creditStore) Events(ctx context.Context, scc string) ([]credit.Event, error) {
	out := []credit.Event{}
	err := s.scanEvents(ctx, `SELECT `+eventColumns+` FROM credit_events WHERE scc = $1 ORDER BY id`, []any{scc},
		func(e *credit.Event) error {
			out = append(out, *e)
			return nil
		})
	return out, err
}

func (s *creditStore) ScanEvents(ctx context.Context, after int64, fn func(*credit.Event) error) error {
	return s.scanEvents(ctx, `SELECT `+eventColumns+` FROM credit_events WHERE id > $1 ORDER BY id`, []any{after}, fn)
}

func (s *creditStore) scanEvents(ctx context.Context, q string, args []any, fn func(*credit.Event) error) error {
	rows, err := s.pool.Query(ctx, q, args...)
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
	q, args := `SELECT scc, roles, registered_at, aeo FROM enterprises ORDER BY scc COLLATE "C"`, []any{}
	if !since.IsZero() {
		q, args = `SELECT scc, roles, registered_at, aeo FROM enterprises WHERE updated_at >= $1 ORDER BY scc COLLATE "C"`, []any{since}
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var scc string
		var roles []string
		var reg time.Time
		var aeo *enterprise.AEOCertificate
		if err := rows.Scan(&scc, &roles, &reg, &aeo); err != nil {
			return err
		}
		if err := fn(credit.SubjectOf(scc, roles, reg, aeo)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PutResults copies the results into a temporary table and merges them
// in one statement: COPY is the fast way into PostgreSQL, and the merge
// touches each row once.
func (s *creditStore) PutResults(ctx context.Context, rs []credit.Result) error {
	if len(rs) == 0 {
		return nil
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Results are derived and recomputed by every run: their commit
		// need not wait for the WAL flush; the grade changes, committed
		// before them synchronously, are the audit trail.
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS credit_results_in (LIKE credit_results) ON COMMIT DELETE ROWS`); err != nil {
			return err
		}
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(rs) {
				return nil, nil
			}
			r := rs[i]
			i++
			return []any{r.SCC, r.Grade.Code(), int32(r.Score), time.Unix(int64(r.On)*86400, 0).UTC()}, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"credit_results_in"}, []string{"scc", "grade", "score", "on_day"}, src); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO credit_results SELECT * FROM credit_results_in
			ON CONFLICT (scc) DO UPDATE SET grade = excluded.grade, score = excluded.score, on_day = excluded.on_day`)
		return err
	})
}

func (s *creditStore) ScanResults(ctx context.Context, fn func(credit.Result) error) error {
	rows, err := s.pool.Query(ctx, `SELECT scc, grade, score, on_day FROM credit_results`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r credit.Result
		var grade string
		var on time.Time
		if err := rows.Scan(&r.SCC, &grade, &r.Score, &on); err != nil {
			return err
		}
		r.On = fromPgDate(&on)
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
	rows := make([][]any, len(cs))
	for i, c := range cs {
		g, err := json.Marshal(c.Grounds)
		if err != nil {
			return err
		}
		rows[i] = []any{c.SCC, c.From.Code(), c.To.Code(), pgDate(c.On), c.At, c.Cause, c.By, int32(c.Score), g}
	}
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{"credit_grade_changes"},
		[]string{"scc", "from_grade", "to_grade", "on_day", "at", "cause", "by_user", "score", "grounds"}, pgx.CopyFromRows(rows))
	return err
}

func (s *creditStore) GradeChanges(ctx context.Context, scc string, limit int) ([]credit.GradeChange, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q := `SELECT id, scc, from_grade, to_grade, on_day, at, cause, by_user, score, grounds::text FROM credit_grade_changes`
	args := []any{}
	if scc != "" {
		q, args = q+` WHERE scc = $1`, append(args, scc)
	}
	args = append(args, limit)
	rows, err := s.pool.Query(ctx, q+` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []credit.GradeChange{}
	for rows.Next() {
		var c credit.GradeChange
		var from, to, grounds string
		var on time.Time
		if err := rows.Scan(&c.ID, &c.SCC, &from, &to, &on, &c.At, &c.Cause, &c.By, &c.Score, &grounds); err != nil {
			return nil, err
		}
		c.On, c.At = fromPgDate(&on), c.At.UTC()
		if err := errors.Join(c.From.UnmarshalText([]byte(from)), c.To.UnmarshalText([]byte(to)),
			json.Unmarshal([]byte(grounds), &c.Grounds)); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *creditStore) AppendRegistryChange(ctx context.Context, c *credit.RegistryChange) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('enterprise_changes', 'id'))`).Scan(&c.ID); err != nil {
			return err
		}
		doc, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO enterprise_changes (id, scc, at, by_user, doc) VALUES ($1, $2, $3, $4, $5)`,
			c.ID, c.SCC, c.At, c.By, string(doc))
		return err
	})
}

func (s *creditStore) RegistryChanges(ctx context.Context, scc string) ([]credit.RegistryChange, error) {
	rows, err := s.pool.Query(ctx, `SELECT doc FROM enterprise_changes WHERE scc = $1 ORDER BY id DESC LIMIT 200`, scc)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.RegistryChange, error) {
		var doc []byte
		var c credit.RegistryChange
		if err := row.Scan(&doc); err != nil {
			return c, err
		}
		err := json.Unmarshal(doc, &c)
		c.At = c.At.UTC()
		return c, err
	})
	if out == nil && err == nil {
		out = []credit.RegistryChange{}
	}
	return out, err
}

func (s *creditStore) PutRepair(ctx context.Context, r *credit.Repair) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('credit_repairs', 'id'))`).Scan(&r.ID); err != nil {
			return err
		}
		doc, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO credit_repairs (id, scc, status, applied_at, doc) VALUES ($1, $2, $3, $4, $5)`,
			r.ID, r.SCC, string(r.Status), r.AppliedAt, string(doc))
		return err
	})
}

func repairNotFound() error { return jinguan.NotFound("信用修复申请", "repair application") }

func (s *creditStore) UpdateRepair(ctx context.Context, id int64, fn func(*credit.Repair) error) (credit.Repair, error) {
	var r credit.Repair
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var doc []byte
		if err := tx.QueryRow(ctx, `SELECT doc FROM credit_repairs WHERE id = $1 FOR UPDATE`, id).Scan(&doc); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return repairNotFound()
			}
			return err
		}
		if err := json.Unmarshal(doc, &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		b, err := json.Marshal(&r)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE credit_repairs SET status = $1, doc = $2 WHERE id = $3`, string(r.Status), string(b), id)
		return err
	})
	return r, err
}

func (s *creditStore) Repair(ctx context.Context, id int64) (credit.Repair, error) {
	var r credit.Repair
	var doc []byte
	if err := s.pool.QueryRow(ctx, `SELECT doc FROM credit_repairs WHERE id = $1`, id).Scan(&doc); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return r, repairNotFound()
		}
		return r, err
	}
	return r, json.Unmarshal(doc, &r)
}

func (s *creditStore) Repairs(ctx context.Context, f credit.RepairFilter) ([]credit.Repair, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.SCC != "" {
		where = append(where, `scc = `+arg(f.SCC))
	}
	if f.Status != "" {
		where = append(where, `status = `+arg(string(f.Status)))
	}
	if f.Area != "" {
		where = append(where, `scc IN (SELECT scc FROM enterprises WHERE customs LIKE `+arg(likePrefix(f.Area))+`)`)
	}
	q := `SELECT doc FROM credit_repairs`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	var limit any = f.Limit
	switch {
	case f.Limit < 0:
		limit = nil // LIMIT NULL: all
	case f.Limit == 0 || f.Limit > 1000:
		limit = 1000
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY id DESC LIMIT `+arg(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []credit.Repair{}
	for rows.Next() {
		var doc []byte
		var r credit.Repair
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *creditStore) Certify(ctx context.Context, c *credit.Certification) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var prev *enterprise.AEOCertificate
		if err := tx.QueryRow(ctx, `SELECT aeo FROM enterprises WHERE scc = $1 FOR UPDATE`, c.SCC).Scan(&prev); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return jinguan.NotFound("企业", "enterprise")
			}
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE enterprises SET aeo = $1, updated_at = $2, updated_by = $3 WHERE scc = $4`,
			c.Certificate(prev), c.DecidedAt, c.DecidedBy, c.SCC); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('credit_certifications', 'id'))`).Scan(&c.ID); err != nil {
			return err
		}
		doc, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO credit_certifications (id, scc, decided_at, doc) VALUES ($1, $2, $3, $4)`,
			c.ID, c.SCC, c.DecidedAt, string(doc))
		return err
	})
}

func (s *creditStore) Certifications(ctx context.Context, scc string) ([]credit.Certification, error) {
	rows, err := s.pool.Query(ctx, `SELECT doc FROM credit_certifications WHERE scc = $1 ORDER BY id`, scc)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []credit.Certification{}
	for rows.Next() {
		var doc []byte
		var c credit.Certification
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &c); err != nil {
			return nil, err
		}
		c.DecidedAt = c.DecidedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
