package sqlite

import (
	"context"
	"database/sql"
	"errors"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// Statements prepared once on the writer connection; a batch binds them to
// its transaction without preparing again.
const (
	stGet = iota
	stFind
	stInsert
	stUpdate
	stInsertItem
	stDeleteItems
	stInsertEvent
	stSavepoint
	stRelease
	stRollback
	nStmts
)

const docColumns = `doc, body_hash`

var stmtText = [nStmts]string{
	stGet:  `SELECT ` + docColumns + ` FROM declarations WHERE id = ?`,
	stFind: `SELECT ` + docColumns + ` FROM declarations WHERE agent_scc = ? AND client_key = ?`,
	stInsert: `INSERT INTO declarations (id, entry_id, seq_no, agent_scc, client_key, declared_at,
		body_hash, status, lane, ie_flag, custom_master, trade_co_scc, trade_name, owner_scc,
		trade_mode, item_count, tax_total, updated_at, version, doc, priority)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	stUpdate: `UPDATE declarations SET body_hash = ?, status = ?, lane = ?, ie_flag = ?,
		custom_master = ?, trade_co_scc = ?, trade_name = ?, owner_scc = ?, trade_mode = ?,
		item_count = ?, tax_total = ?, updated_at = ?, version = ?, doc = ?, priority = ? WHERE id = ?`,
	stInsertItem:  `INSERT INTO declaration_items (declaration_id, g_no, code_ts) VALUES (?, ?, ?)`,
	stDeleteItems: `DELETE FROM declaration_items WHERE declaration_id = ?`,
	stInsertEvent: `INSERT INTO declaration_events (declaration_id, seq, action, from_status,
		to_status, actor, role, at, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	stSavepoint: `SAVEPOINT op`,
	stRelease:   `RELEASE op`,
	stRollback:  `ROLLBACK TO op`,
}

// prepare prepares the statements and loads the next declaration id.
func (db *DB) prepare() error {
	ctx := context.Background()
	db.wmu.Lock()
	defer db.wmu.Unlock()
	for i, q := range stmtText {
		s, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		db.stmts[i] = s
	}
	var err error
	db.rget, err = db.r.PrepareContext(ctx, stmtText[stGet])
	if err != nil {
		return err
	}
	var next int64
	err = db.w.QueryRowContext(ctx, `SELECT max(s.next, coalesce((SELECT max(id) + 1 FROM declarations), 1))
		FROM sequences s WHERE s.name = 'declarations'`).Scan(&next)
	db.nextID.Store(next)
	db.saved = next
	return err
}

type declStore DB

// WriteBatch runs ops in one IMMEDIATE transaction, each under the same
// savepoint name: released (and opened again) on success, rolled back to on
// error. The id high-water mark is written outside the savepoints.
func (s *declStore) WriteBatch(ctx context.Context, ops []declaration.Op) []error {
	db := (*DB)(s)
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
	db.wmu.Lock()
	defer db.wmu.Unlock()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback() // no-op after Commit; also covers a panicking op
	wt := &writeTx{db: db, tx: tx}
	if _, err := wt.stmt(ctx, stSavepoint).ExecContext(ctx); err != nil {
		return fail(err)
	}
	for i, op := range ops {
		errs[i] = op(ctx, wt)
		var err error
		if errs[i] != nil {
			_, err = wt.stmt(ctx, stRollback).ExecContext(ctx) // the savepoint stays open for the next op
		} else if _, err = wt.stmt(ctx, stRelease).ExecContext(ctx); err == nil {
			_, err = wt.stmt(ctx, stSavepoint).ExecContext(ctx)
		}
		if err != nil {
			return fail(err)
		}
	}
	// Ids reserved so far, committed or not, are never handed out again.
	next := db.nextID.Load()
	if next != db.saved {
		if _, err := tx.ExecContext(ctx, `UPDATE sequences SET next = ? WHERE name = 'declarations'`, next); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	db.saved = next
	return errs
}

func (s *declStore) Close() error { return nil }

// writeTx is the Tx handed to ops; the writer lock is held while it lives.
type writeTx struct {
	db    *DB
	tx    *sql.Tx
	stmts [nStmts]*sql.Stmt
	more  map[string]*sql.Stmt // other modules' statements, prepared once per transaction (prep)
}

func (w *writeTx) stmt(ctx context.Context, i int) *sql.Stmt {
	if w.stmts[i] == nil {
		w.stmts[i] = w.tx.StmtContext(ctx, w.db.stmts[i])
	}
	return w.stmts[i]
}

func (w *writeTx) Get(ctx context.Context, id int64) (*declaration.Declaration, error) {
	return scanDoc(w.stmt(ctx, stGet).QueryRowContext(ctx, id))
}

func (w *writeTx) FindByKey(ctx context.Context, agentScc, clientKey string) (*declaration.Declaration, error) {
	d, err := scanDoc(w.stmt(ctx, stFind).QueryRowContext(ctx, agentScc, clientKey))
	if jinguan.ErrorCode(err) == jinguan.ENOTFOUND {
		return nil, nil
	}
	return d, err
}

// ReserveID hands out the next id; it is never handed out again, even if
// the insert that uses it rolls back.
func (s *declStore) ReserveID(context.Context) (int64, error) {
	return s.nextID.Add(1) - 1, nil
}

func (w *writeTx) Insert(ctx context.Context, d *declaration.Declaration) error {
	if d.ID == 0 {
		d.ID, _ = (*declStore)(w.db).ReserveID(ctx)
	}
	declaration.AssignNumbers(d)
	c, err := rowColumns(d)
	if err == nil {
		_, err = w.stmt(ctx, stInsert).ExecContext(ctx, d.ID, d.EntryID, d.SeqNo, d.Head.AgentCodeScc, d.ClientKey,
			micros(d.DeclaredAt), c.bodyHash, c.status, c.lane, c.ieFlag, c.customMaster, c.tradeCo,
			c.tradeName, c.owner, c.tradeMode, c.itemCount, c.taxTotal, c.updatedAt, c.version, c.doc, c.priority)
	}
	if err == nil {
		err = w.insertItems(ctx, d)
	}
	if err != nil {
		d.ID, d.EntryID, d.SeqNo = 0, "", ""
		return mapErr(err)
	}
	return nil
}

func (w *writeTx) insertItems(ctx context.Context, d *declaration.Declaration) error {
	st := w.stmt(ctx, stInsertItem)
	for _, it := range d.Items {
		if _, err := st.ExecContext(ctx, d.ID, it.GNo, it.CodeTS); err != nil {
			return err
		}
	}
	return nil
}

func (w *writeTx) Update(ctx context.Context, d *declaration.Declaration, itemsChanged bool) error {
	c, err := rowColumns(d)
	if err != nil {
		return err
	}
	res, err := w.stmt(ctx, stUpdate).ExecContext(ctx, c.bodyHash, c.status, c.lane, c.ieFlag,
		c.customMaster, c.tradeCo, c.tradeName, c.owner, c.tradeMode, c.itemCount, c.taxTotal,
		c.updatedAt, c.version, c.doc, c.priority, d.ID)
	if err != nil {
		return mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmpErr(err, notFound())
	}
	if !itemsChanged {
		return nil
	}
	if _, err := w.stmt(ctx, stDeleteItems).ExecContext(ctx, d.ID); err != nil {
		return err
	}
	return mapErr(w.insertItems(ctx, d))
}

// AppendEvents stores all events or none, so an op may go on after a
// conflict.
func (w *writeTx) AppendEvents(ctx context.Context, evs ...declaration.Event) error {
	st := w.stmt(ctx, stInsertEvent)
	for i, e := range evs {
		var data any
		if len(e.Data) > 0 {
			data = string(e.Data)
		}
		_, err := st.ExecContext(ctx, e.DeclarationID, e.Seq, string(e.Action), string(e.From),
			string(e.To), e.Actor, e.Role, micros(e.At), e.Reason, data)
		if err != nil {
			for _, done := range evs[:i] {
				if _, derr := w.tx.ExecContext(ctx, `DELETE FROM declaration_events WHERE declaration_id = ? AND seq = ?`,
					done.DeclarationID, done.Seq); derr != nil {
					return derr
				}
			}
			return mapErr(err)
		}
	}
	return nil
}

// mapErr gives constraint violations their codes: a duplicate is a
// conflict, a reference to a missing declaration is not-found.
func mapErr(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return jinguan.Errorf(jinguan.ECONFLICT, "记录已存在", "record already exists")
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return notFound()
	}
	return err
}

func notFound() error { return jinguan.NotFound("报关单", "declaration") }

// cmpErr returns err if set, else alt.
func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}
