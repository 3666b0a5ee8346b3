package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// idBlock must equal the INCREMENT BY of the declaration_ids sequence.
const idBlock = 100

const (
	qInsert = `INSERT INTO declarations (id, entry_id, seq_no, agent_scc, client_key, declared_at,
		body_hash, status, lane, ie_flag, custom_master, trade_co_scc, trade_name, owner_scc,
		trade_mode, item_count, tax_total, updated_at, version, doc, priority)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
		ON CONFLICT (agent_scc, client_key) DO NOTHING`
	qUpdate = `UPDATE declarations SET body_hash = $1, status = $2, lane = $3, ie_flag = $4,
		custom_master = $5, trade_co_scc = $6, trade_name = $7, owner_scc = $8, trade_mode = $9,
		item_count = $10, tax_total = $11, updated_at = $12, version = $13, doc = $14, priority = $15 WHERE id = $16`
	qInsertItems = `INSERT INTO declaration_items (declaration_id, g_no, code_ts)
		SELECT $1, g, c FROM unnest($2::integer[], $3::text[]) AS t (g, c)`
	qInsertEvent = `INSERT INTO declaration_events (declaration_id, seq, action, from_status,
		to_status, actor, role, at, reason, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT DO NOTHING`
)

type declStore DB

// WriteBatch runs ops in one transaction, each under the same savepoint
// name: released on success, rolled back to on error. The savepoint
// commands go as one simple-protocol message per op boundary.
func (s *declStore) WriteBatch(ctx context.Context, ops []declaration.Op) []error {
	errs := make([]error, len(ops))
	fail := func(err error) []error {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	if len(ops) == 0 {
		return errs
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit; also covers a panicking op
	if _, err := tx.Exec(ctx, `SAVEPOINT op`); err != nil {
		return fail(err)
	}
	wt := &writeTx{db: (*DB)(s), tx: tx}
	for i, op := range ops {
		errs[i] = op(ctx, wt)
		next := `RELEASE SAVEPOINT op; SAVEPOINT op`
		if errs[i] != nil {
			next = `ROLLBACK TO SAVEPOINT op` // also clears an aborted transaction
		}
		if _, err := tx.Exec(ctx, next); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return errs
}

func (s *declStore) Close() error { return nil }

type writeTx struct {
	db *DB
	tx pgx.Tx
}

func (w *writeTx) Get(ctx context.Context, id int64) (*declaration.Declaration, error) {
	return scanDoc(w.tx.QueryRow(ctx, `SELECT doc, body_hash FROM declarations WHERE id = $1 FOR UPDATE`, id))
}

func (w *writeTx) FindByKey(ctx context.Context, agentScc, clientKey string) (*declaration.Declaration, error) {
	d, err := scanDoc(w.tx.QueryRow(ctx, `SELECT doc, body_hash FROM declarations
		WHERE agent_scc = $1 AND client_key = $2`, agentScc, clientKey))
	if jinguan.ErrorCode(err) == jinguan.ENOTFOUND {
		return nil, nil
	}
	return d, err
}

// ReserveID takes the next id of the current block, fetching a new block
// from the sequence when it is used up. Sequences ignore rollbacks, so an
// id is never given twice.
func (s *declStore) ReserveID(ctx context.Context) (int64, error) {
	return (*DB)(s).reserve(ctx, s.pool)
}

// reserve fetches a new block through q: the pool, or inside a batch the
// batch's own transaction, which must not wait for a second connection.
func (db *DB) reserve(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int64, error) {
	db.idMu.Lock()
	defer db.idMu.Unlock()
	if db.nextID == db.endID {
		var v int64
		if err := q.QueryRow(ctx, `SELECT nextval('declaration_ids')`).Scan(&v); err != nil {
			return 0, err
		}
		db.nextID, db.endID = v, v+idBlock
	}
	db.nextID++
	return db.nextID - 1, nil
}

// Insert leaves the transaction usable after a key conflict (ON CONFLICT
// DO NOTHING), so an op can go on to FindByKey.
func (w *writeTx) Insert(ctx context.Context, d *declaration.Declaration) error {
	if d.ID == 0 {
		id, err := w.db.reserve(ctx, w.tx)
		if err != nil {
			return err
		}
		d.ID = id
	}
	declaration.AssignNumbers(d)
	err := w.insert(ctx, d)
	if err != nil {
		d.ID, d.EntryID, d.SeqNo = 0, "", ""
	}
	return err
}

func (w *writeTx) insert(ctx context.Context, d *declaration.Declaration) error {
	c, err := rowColumns(d)
	if err != nil {
		return err
	}
	tag, err := w.tx.Exec(ctx, qInsert, d.ID, d.EntryID, d.SeqNo, d.Head.AgentCodeScc, d.ClientKey, d.DeclaredAt,
		c.bodyHash, c.status, c.lane, c.ieFlag, c.customMaster, c.tradeCo, c.tradeName, c.owner,
		c.tradeMode, c.itemCount, c.taxTotal, c.updatedAt, c.version, c.doc, c.priority)
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return conflict()
	}
	return w.insertItems(ctx, d)
}

func (w *writeTx) insertItems(ctx context.Context, d *declaration.Declaration) error {
	if len(d.Items) == 0 {
		return nil
	}
	gno := make([]int32, len(d.Items))
	code := make([]string, len(d.Items))
	for i, it := range d.Items {
		gno[i], code[i] = int32(it.GNo), it.CodeTS
	}
	_, err := w.tx.Exec(ctx, qInsertItems, d.ID, gno, code)
	return mapErr(err)
}

func (w *writeTx) Update(ctx context.Context, d *declaration.Declaration, itemsChanged bool) error {
	c, err := rowColumns(d)
	if err != nil {
		return err
	}
	tag, err := w.tx.Exec(ctx, qUpdate, c.bodyHash, c.status, c.lane, c.ieFlag, c.customMaster, c.tradeCo,
		c.tradeName, c.owner, c.tradeMode, c.itemCount, c.taxTotal, c.updatedAt, c.version, c.doc, c.priority, d.ID)
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return notFound()
	}
	if !itemsChanged {
		return nil
	}
	if _, err := w.tx.Exec(ctx, `DELETE FROM declaration_items WHERE declaration_id = $1`, d.ID); err != nil {
		return err
	}
	return w.insertItems(ctx, d)
}

// AppendEvents stores all events or none. A duplicate is skipped by ON
// CONFLICT rather than raised, which would abort the transaction, and the
// events already stored by this call are removed again.
func (w *writeTx) AppendEvents(ctx context.Context, evs ...declaration.Event) error {
	for i, e := range evs {
		var data []byte
		if len(e.Data) > 0 {
			data = e.Data
		}
		tag, err := w.tx.Exec(ctx, qInsertEvent, e.DeclarationID, e.Seq, string(e.Action), string(e.From),
			string(e.To), e.Actor, e.Role, e.At, e.Reason, data)
		if err != nil {
			return mapErr(err)
		}
		if tag.RowsAffected() == 1 {
			continue
		}
		for _, done := range evs[:i] {
			if _, err := w.tx.Exec(ctx, `DELETE FROM declaration_events WHERE declaration_id = $1 AND seq = $2`,
				done.DeclarationID, done.Seq); err != nil {
				return err
			}
		}
		return conflict()
	}
	return nil
}

// mapErr gives constraint violations their codes.
func mapErr(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		return conflict()
	case "23503": // foreign_key_violation: no such declaration
		return notFound()
	}
	return err
}

func conflict() error {
	return jinguan.Errorf(jinguan.ECONFLICT, "记录已存在", "record already exists")
}

func notFound() error { return jinguan.NotFound("报关单", "declaration") }
