package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/ecommerce"
)

// Ecommerce returns the e-commerce store.
func (db *DB) Ecommerce() ecommerce.Store { return (*cbecStore)(db) }

type cbecStore DB

const listCols = `id, list_key, status, lane, buyer_id, ebp_code, order_no, logistics_no, assure_code, trade_mode,
	customs_code, value_fen, tax_fen, period, declared_at, updated_at, deadline`

var cbecSQL = struct {
	docUpsert, docDelete, listUpdateID, listRewrite, period string
}{
	docUpsert: `INSERT INTO cbec_docs (k, kind, at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (k) DO UPDATE SET
		kind = excluded.kind, at = excluded.at, doc = excluded.doc`,
	docDelete: `DELETE FROM cbec_docs WHERE k = ?`,
	listUpdateID: `UPDATE cbec_lists SET status = ?, lane = ?, value_fen = ?, tax_fen = ?, period = ?, updated_at = ?,
		deadline = ?, doc = ? WHERE id = ? AND status = ?`,
	listRewrite: `UPDATE cbec_lists SET status = ?, lane = ?, value_fen = ?, tax_fen = ?, period = ?, updated_at = ?,
		deadline = ?, doc = ? WHERE list_key = ?`,
	period: `INSERT INTO cbec_tax_periods (assure_code, period, bills, tax_fen) VALUES (?, ?, ?, ?)
		ON CONFLICT (assure_code, period) DO UPDATE SET bills = bills + excluded.bills, tax_fen = tax_fen + excluded.tax_fen`,
}

func (s *cbecStore) Apply(ctx context.Context, units []*ecommerce.Unit) error {
	return s.apply(ctx, units, "")
}

// ApplyNoSync commits the batch without waiting for the disk
// (synchronous=NORMAL); Sync makes it durable.
func (s *cbecStore) ApplyNoSync(ctx context.Context, units []*ecommerce.Unit) error {
	return s.apply(ctx, units, "NORMAL")
}

// Sync makes every batch committed so far durable.
func (s *cbecStore) Sync(context.Context) error { return (*DB)(s).syncWAL() }

func (s *cbecStore) apply(ctx context.Context, units []*ecommerce.Unit, sync string) error {
	db := (*DB)(s)
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if err := db.cbecPrepare(ctx); err != nil {
		return err
	}
	var w *cbecWriter
	err := db.updateLocked(ctx, sync, func(tx *sql.Tx) (err error) {
		w, err = writeBatch(ctx, db, tx, units)
		return err
	})
	if err != nil {
		db.quotas.reset() // what was read with the failed batch may be stale
		return err
	}
	db.quotas.committed(w)
	return nil
}

// writeBatch writes a batch's units in tx.
func writeBatch(ctx context.Context, db *DB, tx *sql.Tx, units []*ecommerce.Unit) (*cbecWriter, error) {
	w := &cbecWriter{ctx: ctx, db: db, tx: tx, stmts: map[string]*sql.Stmt{}}
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM cbec_receipts`).Scan(&seq); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM cbec_lists`).Scan(&w.lastID); err != nil {
		return nil, err
	}
	if err := w.docs(units); err != nil {
		return nil, err
	}
	if err := w.loadQuotas(units); err != nil {
		return nil, err
	}
	if err := w.loadListIDs(units); err != nil {
		return nil, err
	}
	if err := w.lists(units); err != nil {
		return nil, err
	}
	refs, err := ecommerce.SecureBatch(ctx, &writeTx{db: db, tx: tx}, units, seq, w.uncovered)
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		if _, err := w.exec(`INSERT INTO cbec_guarantee_refs (assure_code, period, ref, amount_fen) VALUES (?, ?, ?, ?)`,
			r.AssureCode, r.Period, r.Ref, r.AmountFen); err != nil {
			return nil, err
		}
	}
	periods := ecommerce.NewPeriodSums()
	for _, u := range units {
		if u.Period != nil {
			periods.Add(*u.Period)
		}
	}
	for _, p := range periods.Deltas() {
		if _, err := w.exec(cbecSQL.period, p.AssureCode, p.Period, p.Bills, p.TaxFen); err != nil {
			return nil, err
		}
	}
	if err := w.saveQuotas(); err != nil {
		return nil, err
	}
	return w, w.receipts(units, seq)
}

// cbecWriter writes one batch; statements are prepared once per batch.
type cbecWriter struct {
	ctx    context.Context
	db     *DB
	tx     *sql.Tx
	stmts  map[string]*sql.Stmt
	lastID int64 // the largest list id
	args   []any // see scratch
	// listIDs holds the ids of the stored lists the batch updates.
	listIDs map[string]int64
	// used holds the batch's buyers' annual totals, read once under the
	// writer lock and written back at the end of the batch.
	used    map[quotaKey]int64
	changed map[quotaKey]bool
}

// scratch returns the writer's argument slice, empty, for n arguments: a
// statement's arguments are copied when it runs, so one slice serves all.
func (w *cbecWriter) scratch(n int) []any {
	if cap(w.args) < n {
		w.args = make([]any, 0, max(n, 4*maxChunk))
	}
	return w.args[:0]
}

// kindArg is a document kind as an argument, without boxing it anew.
func kindArg(k ecommerce.Kind) any {
	switch k {
	case ecommerce.KindOrder:
		return kindArgs[0]
	case ecommerce.KindPayment:
		return kindArgs[1]
	case ecommerce.KindWaybill:
		return kindArgs[2]
	}
	return string(k)
}

var kindArgs = [3]any{string(ecommerce.KindOrder), string(ecommerce.KindPayment), string(ecommerce.KindWaybill)}

func (w *cbecWriter) stmt(q string) (*sql.Stmt, error) {
	p := w.stmts[q]
	if p != nil {
		return p, nil
	}
	var err error
	if c, ok := cbecStmts.Load(cbecStmtKey{w.db, q}); ok {
		p = w.tx.StmtContext(w.ctx, c.(*sql.Stmt))
	} else if p, err = w.tx.PrepareContext(w.ctx, q); err != nil {
		return nil, err
	}
	w.stmts[q] = p
	return p, nil
}

// cbecStmts keeps the e-commerce statements prepared on each database's
// writer connection, so that a batch binds them without preparing again
// (a multi-row insert of a few hundred rows costs a millisecond to
// prepare). Multi-row inserts go in chunks of a power of two rows, so a
// few statements serve every size.
var cbecStmts sync.Map // cbecStmtKey → *sql.Stmt

type cbecStmtKey struct {
	db *DB
	q  string
}

// maxChunk is the largest multi-row insert (18 parameters a list row).
const maxChunk = 256

// chunk is the largest power of two not above n or maxChunk.
func chunk(n int) int {
	c := 1
	for c*2 <= n && c*2 <= maxChunk {
		c *= 2
	}
	return c
}

// cbecPrepare prepares the statements once; the writer lock is held and no
// transaction is open, so the writer connection is free.
func (db *DB) cbecPrepare(ctx context.Context) error {
	if _, ok := cbecStmts.Load(cbecStmtKey{db, cbecSQL.period}); ok {
		return nil
	}
	qs := []string{cbecSQL.docUpsert, cbecSQL.docDelete, cbecSQL.listUpdateID, cbecSQL.listRewrite}
	for n := 1; n <= maxChunk; n *= 2 {
		qs = append(qs, docInsertRows(n), docInsertNewRows(n), listInsertRows(n), listUpsertRows(n), receiptRows(n),
			quotaSelectRows(n), quotaLogRows(n), listIDRows(n))
	}
	qs = append(qs, cbecSQL.period) // last: marks the set complete
	for _, q := range qs {
		p, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		cbecStmts.Store(cbecStmtKey{db, q}, p)
	}
	return nil
}

func docInsertRows(n int) string {
	return `INSERT INTO cbec_docs (k, kind, at, doc) VALUES (?, ?, ?, ?)` + strings.Repeat(`, (?, ?, ?, ?)`, n-1)
}

// docInsertNewRows inserts the documents whose keys are new and names them.
func docInsertNewRows(n int) string {
	return docInsertRows(n) + ` ON CONFLICT (k) DO NOTHING RETURNING k`
}

// isUnique: the statement broke a key and was undone; the transaction
// goes on.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func receiptRows(n int) string {
	return `INSERT INTO cbec_receipts (seq, list_id, body) VALUES (?, ?, ?)` + strings.Repeat(`, (?, ?, ?)`, n-1)
}

func (w *cbecWriter) exec(q string, args ...any) (int64, error) {
	p, err := w.stmt(q)
	if err != nil {
		return 0, err
	}
	res, err := p.ExecContext(w.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func refuse(u *ecommerce.Unit, code string) {
	u.Refused = code
	u.Refuse(code)
}

// docs writes the documents of all units: runs of new documents as
// multi-row inserts whose RETURNING names the keys that were new; a unit
// whose document already existed is refused before anything else of it is
// written.
func (w *cbecWriter) docs(units []*ecommerce.Unit) error {
	type pending struct {
		u *ecommerce.Unit
		d ecommerce.DocRow
	}
	var run []pending
	flush := func() error {
		for len(run) > 0 {
			n := chunk(len(run))
			args := w.scratch(4 * n)
			for _, p := range run[:n] {
				args = append(args, p.d.Key, kindArg(p.d.Kind), micros(p.d.At), p.d.Doc)
			}
			// Documents are new but for a platform sending one again: a
			// plain insert takes the chunk whole, and only a chunk with a
			// duplicate goes again as an insert that names what it took.
			p, err := w.stmt(docInsertRows(n))
			if err != nil {
				return err
			}
			if _, err := p.ExecContext(w.ctx, args...); err == nil {
				run = run[n:]
				continue
			} else if !isUnique(err) {
				return err
			}
			if p, err = w.stmt(docInsertNewRows(n)); err != nil {
				return err
			}
			rows, err := p.QueryContext(w.ctx, args...)
			if err != nil {
				return err
			}
			added := make(map[string]bool, n)
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
			for _, p := range run[:n] {
				if !added[p.d.Key] && p.u.Refused == "" {
					refuse(p.u, "duplicate")
				}
			}
			run = run[n:]
		}
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
			var n int64
			var err error
			if d.Op == ecommerce.DocUpsert {
				n, err = w.exec(cbecSQL.docUpsert, d.Key, string(d.Kind), micros(d.At), d.Doc)
			} else {
				n, err = w.exec(cbecSQL.docDelete, d.Key)
			}
			if err != nil {
				return err
			}
			if n == 0 && u.Refused == "" {
				refuse(u, "duplicate")
			}
		}
	}
	return flush()
}

// uncovered refuses a unit whose tax no guarantee covers: its quota is
// given back and its list rewritten as refused.
func (w *cbecWriter) uncovered(u *ecommerce.Unit, code string) error {
	if q := u.Quota; q != nil && q.DeltaFen > 0 {
		w.count(&ecommerce.QuotaDelta{BuyerID: q.BuyerID, Year: q.Year, DeltaFen: -q.DeltaFen})
	}
	refuse(u, code)
	l := u.List
	_, err := w.exec(cbecSQL.listRewrite, int(l.Status), l.Lane, l.ValueFen, l.TaxFen, l.Period, micros(l.UpdatedAt),
		micros0(l.Deadline), l.Doc, l.Key)
	return err
}

// lists writes the units' lists and counts their quotas, in unit order
// except that runs of new lists go as one multi-row insert; a run is
// written before any later change of one of its lists.
func (w *cbecWriter) lists(units []*ecommerce.Unit) error {
	var run []*ecommerce.Unit
	inRun := map[string]bool{}
	flush := func() error {
		for len(run) > 0 {
			n := chunk(len(run))
			if err := w.insertLists(run[:n]); err != nil {
				return err
			}
			run = run[n:]
		}
		clear(inRun)
		return nil
	}
	for _, u := range units {
		if u.Refused != "" {
			continue
		}
		l := u.List
		if l == nil {
			if err := w.quota(u); err != nil {
				return err
			}
			continue
		}
		if inRun[l.Key] || len(run) == maxChunk {
			if err := flush(); err != nil {
				return err
			}
		}
		if l.ExpectStatus == 0 {
			if u.Quota != nil && !w.count(u.Quota) {
				refuse(u, "quota") // inserted as refused
			}
			run = append(run, u)
			inRun[l.Key] = true
			continue
		}
		id, ok, err := w.updateList(l)
		if err != nil {
			return err
		}
		if !ok {
			refuse(u, "conflict")
			continue
		}
		l.ID = id
		if err := w.quota(u); err != nil {
			return err
		}
	}
	return flush()
}

// updateList writes a list over its stored version if that still has
// the status expected; false when not. listIDs holds every list of the
// batch's keys that is stored, before the batch (loadListIDs) or by an
// insert earlier in it, so a key it lacks has no stored list. The update
// goes by id: an UPDATE … RETURNING by key would buffer its row in a
// temporary table each time.
func (w *cbecWriter) updateList(l *ecommerce.ListRow) (int64, bool, error) {
	id, ok := w.listIDs[l.Key]
	if !ok {
		return 0, false, nil
	}
	n, err := w.exec(cbecSQL.listUpdateID, int(l.Status), l.Lane, l.ValueFen, l.TaxFen, l.Period, micros(l.UpdatedAt),
		micros0(l.Deadline), l.Doc, id, int(l.ExpectStatus))
	return id, n == 1, err
}

// loadListIDs reads the ids of the stored lists the batch updates.
func (w *cbecWriter) loadListIDs(units []*ecommerce.Unit) error {
	w.listIDs = map[string]int64{}
	var keys []any
	for _, u := range units {
		if l := u.List; l != nil && l.ExpectStatus != 0 {
			keys = append(keys, l.Key)
		}
	}
	return w.queryIn(listIDRows, keys, func(rows *sql.Rows) error {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return err
		}
		w.listIDs[k] = id
		return nil
	})
}

// queryIn runs the query q(n) for the keys in chunks of n and hands each
// row to scan.
func (w *cbecWriter) queryIn(q func(n int) string, keys []any, scan func(*sql.Rows) error) error {
	for len(keys) > 0 {
		n := chunk(len(keys))
		p, err := w.stmt(q(n))
		if err != nil {
			return err
		}
		rows, err := p.QueryContext(w.ctx, keys[:n]...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

func listIDRows(n int) string {
	return `SELECT list_key, id FROM cbec_lists WHERE list_key IN (` + placeholders(n) + `)`
}

// insertLists inserts new lists with one statement and counts their
// quotas. The writer numbers them (the next ids after the largest, as
// SQLite would; the writer lock is held), so a plain insert takes a run
// whole; a run with a list declared before (a rejected one may be declared
// again) goes again as the upsert that names what it wrote.
func (w *cbecWriter) insertLists(run []*ecommerce.Unit) error {
	args := w.scratch(18 * len(run))
	for i, u := range run {
		l := u.List
		args = append(args, w.lastID+int64(i)+1, l.Key, int(l.Status), l.Lane, l.BuyerID, l.EbpCode, l.OrderNo, l.LogisticsNo,
			l.AssureCode, l.TradeMode, l.CustomsCode, l.ValueFen, l.TaxFen, l.Period, micros(l.DeclaredAt), micros(l.UpdatedAt),
			micros0(l.Deadline), l.Doc)
	}
	p, err := w.stmt(listInsertRows(len(run)))
	if err != nil {
		return err
	}
	if _, err := p.ExecContext(w.ctx, args...); err == nil {
		for i, u := range run {
			u.List.ID = w.lastID + int64(i) + 1
			w.listIDs[u.List.Key] = u.List.ID // a later unit of the batch may decide it
		}
		w.lastID += int64(len(run))
		return nil
	} else if !isUnique(err) {
		return err
	}
	args = args[:0]
	for _, u := range run {
		l := u.List
		args = append(args, l.Key, int(l.Status), l.Lane, l.BuyerID, l.EbpCode, l.OrderNo, l.LogisticsNo, l.AssureCode,
			l.TradeMode, l.CustomsCode, l.ValueFen, l.TaxFen, l.Period, micros(l.DeclaredAt), micros(l.UpdatedAt),
			micros0(l.Deadline), l.Doc)
	}
	if p, err = w.stmt(listUpsertRows(len(run))); err != nil {
		return err
	}
	rows, err := p.QueryContext(w.ctx, args...)
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(run))
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			rows.Close()
			return err
		}
		ids[k] = id
		w.listIDs[k] = id
		w.lastID = max(w.lastID, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range run {
		id, ok := ids[u.List.Key]
		if !ok {
			if q := u.Quota; q != nil && q.DeltaFen > 0 {
				w.count(&ecommerce.QuotaDelta{BuyerID: q.BuyerID, Year: q.Year, DeltaFen: -q.DeltaFen})
			}
			refuse(u, "duplicate")
			continue
		}
		u.List.ID = id
	}
	return nil
}

const listColumns = `list_key, status, lane, buyer_id, ebp_code, order_no, logistics_no, assure_code,
		trade_mode, customs_code, value_fen, tax_fen, period, declared_at, updated_at, deadline, doc`

// listInsertRows is the insert of n new lists with their ids.
func listInsertRows(n int) string {
	return `INSERT INTO cbec_lists (id, ` + listColumns + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), `, n), ", ")
}

// listUpsertRows is the insert of n lists some of which may have been
// declared before: a key taken by a rejected list may be declared again;
// RETURNING names the lists written.
func listUpsertRows(n int) string {
	return `INSERT INTO cbec_lists (` + listColumns + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), `, n), ", ") + `
		ON CONFLICT (list_key) DO UPDATE SET status = excluded.status, lane = excluded.lane, buyer_id = excluded.buyer_id,
		logistics_no = excluded.logistics_no, assure_code = excluded.assure_code, trade_mode = excluded.trade_mode,
		customs_code = excluded.customs_code, value_fen = excluded.value_fen, tax_fen = excluded.tax_fen,
		period = excluded.period, declared_at = excluded.declared_at, updated_at = excluded.updated_at,
		deadline = excluded.deadline, doc = excluded.doc WHERE cbec_lists.status = 100 RETURNING list_key, id`
}

// quota counts (or gives back) a unit's quota; a list over the limit is
// refused and rewritten.
func (w *cbecWriter) quota(u *ecommerce.Unit) error {
	if u.Quota == nil || w.count(u.Quota) {
		return nil
	}
	refuse(u, "quota")
	l := u.List
	_, err := w.exec(cbecSQL.listRewrite, int(l.Status), l.Lane, l.ValueFen, l.TaxFen, l.Period, micros(l.UpdatedAt),
		micros0(l.Deadline), l.Doc, l.Key)
	return err
}

type quotaKey struct {
	buyer string
	year  int
}

// count applies a quota delta to the batch's totals: a positive one only
// if the total stays within its limit (false: refused), a negative one
// down to zero. The writer lock is held from the read to the write, so no
// other process counts the same buyer meanwhile.
func (w *cbecWriter) count(q *ecommerce.QuotaDelta) bool {
	k := quotaKey{q.BuyerID, q.Year}
	used, ok := w.used[k]
	switch {
	case q.DeltaFen <= 0:
		if !ok {
			return true
		}
		used = max(0, used+q.DeltaFen)
	case used+q.DeltaFen > q.LimitFen:
		return false
	default:
		used += q.DeltaFen
	}
	w.changed[k] = true
	w.used[k] = used
	return true
}

// loadQuotas reads the totals of the buyers the batch counts: from the
// cache of committed totals where it holds them, else from the table. A
// buyer without a row is absent: a delta given back to nobody changes
// nothing.
func (w *cbecWriter) loadQuotas(units []*ecommerce.Unit) error {
	w.used, w.changed = map[quotaKey]int64{}, map[quotaKey]bool{}
	if err := w.db.quotas.check(w.ctx, w.tx); err != nil {
		return err
	}
	seen := map[string]bool{}
	var buyers []any
	for _, u := range units {
		q := u.Quota
		if q == nil {
			continue
		}
		k := quotaKey{q.BuyerID, q.Year}
		if used, ok := w.db.quotas.used[k]; ok {
			w.used[k] = used
		} else if !seen[q.BuyerID] {
			seen[q.BuyerID] = true
			buyers = append(buyers, q.BuyerID)
		}
	}
	return w.queryIn(quotaSelectRows, buyers, func(rows *sql.Rows) error {
		var k quotaKey
		var used int64
		if err := rows.Scan(&k.buyer, &k.year, &used); err != nil {
			return err
		}
		w.used[k] = used
		return nil
	})
}

// quotaCache keeps the buyers' totals as this handle last committed them,
// so that a batch reads from the table only the buyers it has not seen.
// It holds while no other connection has written the database: SQLite's
// data_version, read under the write lock, tells. Every buyer in the
// quota log is in the cache: the log is folded into cbec_quota whenever
// the cache starts again, so a buyer the cache lacks has its total there.
type quotaCache struct {
	used    map[quotaKey]int64
	version int64 // data_version when used was last valid
	logged  int   // rows this handle appended to the log since it was folded
}

// maxCachedQuotas bounds the cache; beyond it the cache starts again.
const maxCachedQuotas = 1 << 20

// quotaFoldRows is the log's length at which the writer folds it: at
// 20,000 lists a second, every second or two. Each fold rewrites a page of
// cbec_quota once for all its buyers in the log, not once a commit; it
// holds the writer ~0.1 s (four times as many rows held it ~0.5 s, and the
// slowest seconds of a run showed it).
var quotaFoldRows = 1 << 15

// check empties the cache if another connection has committed since the
// cache was last valid, and folds the quota log then or when it is long;
// tx holds the write lock.
func (c *quotaCache) check(ctx context.Context, tx *sql.Tx) error {
	var v int64
	if err := tx.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return err
	}
	valid := c.used != nil && v == c.version && len(c.used) <= maxCachedQuotas
	if valid && c.logged < quotaFoldRows {
		return nil
	}
	if _, err := tx.ExecContext(ctx, quotaFold); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM cbec_quota_log`); err != nil {
		return err
	}
	c.logged = 0
	if !valid {
		c.used, c.version = map[quotaKey]int64{}, v
	}
	return nil
}

// quotaFold writes each buyer's latest total in the log to cbec_quota, in
// key order so that each page is rewritten once.
const quotaFold = `INSERT INTO cbec_quota (buyer_id, year, used_fen)
	SELECT buyer_id, year, used_fen FROM cbec_quota_log
	WHERE seq IN (SELECT max(seq) FROM cbec_quota_log GROUP BY buyer_id, year)
	ORDER BY buyer_id, year
	ON CONFLICT (buyer_id, year) DO UPDATE SET used_fen = excluded.used_fen`

// committed takes in the totals a batch read and wrote. The handle's own
// commits leave data_version as it was. A buyer new to the cache gets a
// key of its own: the batch's buyer ID may be part of the whole list's
// stored form, which the cache would otherwise keep alive.
func (c *quotaCache) committed(w *cbecWriter) {
	if c.used == nil {
		return
	}
	for k, v := range w.used {
		if _, ok := c.used[k]; !ok {
			k.buyer = strings.Clone(k.buyer)
		}
		c.used[k] = v
	}
	c.logged += len(w.changed)
}

func (c *quotaCache) reset() { c.used = nil }

// saveQuotas appends the changed totals to the quota log, many rows a
// statement.
func (w *cbecWriter) saveQuotas() error {
	keys := slices.Collect(maps.Keys(w.changed))
	for len(keys) > 0 {
		n := chunk(len(keys))
		args := make([]any, 0, 3*n)
		for _, k := range keys[:n] {
			args = append(args, k.buyer, k.year, w.used[k])
		}
		if _, err := w.exec(quotaLogRows(n), args...); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

func quotaSelectRows(n int) string {
	return `SELECT buyer_id, year, used_fen FROM cbec_quota WHERE buyer_id IN (` + placeholders(n) + `)`
}

func quotaLogRows(n int) string {
	return `INSERT INTO cbec_quota_log (buyer_id, year, used_fen) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, ?, ?), `, n), ", ")
}

// receipts appends the batch's list receipts with consecutive sequence
// numbers after the last one (the writer lock is held).
func (w *cbecWriter) receipts(units []*ecommerce.Unit, seq int64) error {
	args := w.scratch(3 * maxChunk)
	size := 0
	for _, u := range units {
		size += u.ReceiptsSize()
	}
	buf := make([]byte, 0, size) // the batch's receipt bodies, end to end
	n := 0
	write := func(k int) error {
		p, err := w.stmt(receiptRows(k))
		if err == nil {
			_, err = p.ExecContext(w.ctx, args[:3*k]...)
		}
		args, n = append(args[:0], args[3*k:]...), n-k
		return err
	}
	for _, u := range units {
		for i := range u.Receipts {
			r := &u.Receipts[i]
			if u.List != nil {
				r.ListID = u.List.ID
			}
			seq++
			r.Seq = seq
			start := len(buf)
			var err error
			if buf, err = u.AppendReceipt(buf, i); err != nil {
				return err
			}
			args = append(args, seq, r.ListID, buf[start:len(buf):len(buf)])
			if n++; n == maxChunk {
				if err := write(n); err != nil {
					return err
				}
			}
		}
	}
	for n > 0 {
		if err := write(chunk(n)); err != nil {
			return err
		}
	}
	return nil
}

func micros0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func fromMicros0(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

func (s *cbecStore) Docs(ctx context.Context, keys []string) (map[string]ecommerce.DocRow, error) {
	out := map[string]ecommerce.DocRow{}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		args := make([]any, n)
		for i, k := range keys[:n] {
			args[i] = k
		}
		rows, err := s.r.QueryContext(ctx, `SELECT k, kind, at, doc FROM cbec_docs WHERE k IN (?`+strings.Repeat(",?", n-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var d ecommerce.DocRow
			var kind string
			var at int64
			if err := rows.Scan(&d.Key, &kind, &at, &d.Doc); err != nil {
				rows.Close()
				return nil, err
			}
			d.Kind, d.At = ecommerce.Kind(kind), fromMicros(at)
			out[d.Key] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		keys = keys[n:]
	}
	return out, nil
}

func scanList(row interface{ Scan(...any) error }, withDoc bool) (ecommerce.ListRow, error) {
	var l ecommerce.ListRow
	var status int
	var decl, upd, dl int64
	dest := []any{&l.ID, &l.Key, &status, &l.Lane, &l.BuyerID, &l.EbpCode, &l.OrderNo, &l.LogisticsNo, &l.AssureCode,
		&l.TradeMode, &l.CustomsCode, &l.ValueFen, &l.TaxFen, &l.Period, &decl, &upd, &dl}
	if withDoc {
		dest = append(dest, &l.Doc)
	}
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return l, jinguan.NotFound("清单", "inventory list")
		}
		return l, err
	}
	l.Status, l.DeclaredAt, l.UpdatedAt, l.Deadline = ecommerce.Status(status), fromMicros(decl), fromMicros(upd), fromMicros0(dl)
	return l, nil
}

func (s *cbecStore) queryLists(ctx context.Context, withDoc bool, where string, args ...any) ([]ecommerce.ListRow, error) {
	cols := listCols
	if withDoc {
		cols += ", doc"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+cols+` FROM cbec_lists `+where, args...)
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

// waitingWhere selects the lists waiting for documents.
const waitingWhere = `WHERE status = 120 AND status <> 800 ORDER BY id`

func (s *cbecStore) Waiting(ctx context.Context) ([]ecommerce.ListRow, error) {
	return s.queryLists(ctx, true, waitingWhere)
}

func (s *cbecStore) List(ctx context.Context, id int64) (ecommerce.ListRow, error) {
	return scanList(s.r.QueryRowContext(ctx, `SELECT `+listCols+`, doc FROM cbec_lists WHERE id = ?`, id), true)
}

func (s *cbecStore) ListByKey(ctx context.Context, key string) (ecommerce.ListRow, error) {
	return scanList(s.r.QueryRowContext(ctx, `SELECT `+listCols+`, doc FROM cbec_lists WHERE list_key = ?`, key), true)
}

func (s *cbecStore) Lists(ctx context.Context, f ecommerce.Filter) ([]ecommerce.ListRow, error) {
	where, args := listsWhere(f)
	return s.queryLists(ctx, false, where, args...)
}

// listsWhere selects the lists f asks for, newest first.
func listsWhere(f ecommerce.Filter) (string, []any) {
	var conds []string
	var args []any
	if len(f.Status) > 0 {
		conds = append(conds, `status IN (?`+strings.Repeat(",?", len(f.Status)-1)+`)`)
		released := false
		for _, st := range f.Status {
			args = append(args, int(st))
			released = released || st == ecommerce.StatusReleased
		}
		if !released {
			conds = append(conds, `status <> 800`) // the index of lists not released
		}
	}
	if f.BuyerID != "" {
		conds, args = append(conds, `buyer_id = ?`), append(args, f.BuyerID)
	}
	if f.EbpCode != "" {
		conds, args = append(conds, `ebp_code = ?`), append(args, f.EbpCode)
	}
	if f.Before > 0 {
		conds, args = append(conds, `id < ?`), append(args, f.Before)
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return where + ` ORDER BY id DESC LIMIT ?`, append(args, limit)
}

func (s *cbecStore) receipts(ctx context.Context, q string, args ...any) ([]ecommerce.Receipt, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
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
	return s.receipts(ctx, `SELECT seq, list_id, body FROM cbec_receipts WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

func (s *cbecStore) ListReceipts(ctx context.Context, id int64) ([]ecommerce.Receipt, error) {
	return s.receipts(ctx, `SELECT seq, list_id, body FROM cbec_receipts WHERE list_id = ? ORDER BY seq`, id)
}

func (s *cbecStore) Quota(ctx context.Context, buyer string, year int) (int64, error) {
	var n int64
	// The log's latest row, else the folded total.
	err := s.r.QueryRowContext(ctx, `SELECT used_fen FROM (
		SELECT used_fen, 0 AS folded, seq FROM cbec_quota_log WHERE buyer_id = ?1 AND year = ?2
		UNION ALL SELECT used_fen, 1, 0 FROM cbec_quota WHERE buyer_id = ?1 AND year = ?2)
		ORDER BY folded, seq DESC LIMIT 1`, buyer, year).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func (s *cbecStore) TaxPeriods(ctx context.Context, assure string) ([]ecommerce.TaxPeriod, error) {
	q := `SELECT assure_code, period, bills, tax_fen, paid_at FROM cbec_tax_periods`
	var args []any
	if assure != "" {
		q, args = q+` WHERE assure_code = ?`, append(args, assure)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY period DESC, assure_code`, args...)
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

func scanPeriod(row interface{ Scan(...any) error }) (ecommerce.TaxPeriod, error) {
	var p ecommerce.TaxPeriod
	var paid sql.NullInt64
	if err := row.Scan(&p.AssureCode, &p.Period, &p.Bills, &p.TaxFen, &paid); err != nil {
		return p, err
	}
	if paid.Valid {
		t := fromMicros(paid.Int64)
		p.PaidAt = &t
	}
	return p, nil
}

func (s *cbecStore) PayPeriod(ctx context.Context, assure, period string, at time.Time) (ecommerce.TaxPeriod, error) {
	db := (*DB)(s)
	var p ecommerce.TaxPeriod
	err := db.inTx(ctx, func(w *writeTx) error {
		var err error
		p, err = scanPeriod(w.tx.QueryRowContext(ctx, `SELECT assure_code, period, bills, tax_fen, paid_at FROM cbec_tax_periods
			WHERE assure_code = ? AND period = ?`, assure, period))
		if errors.Is(err, sql.ErrNoRows) {
			return jinguan.NotFound("税款汇总期", "tax period")
		}
		if err != nil {
			return err
		}
		if p.PaidAt != nil {
			return jinguan.Errorf(jinguan.ECONFLICT, "该期税款已缴纳", "the period is already paid")
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE cbec_tax_periods SET paid_at = ? WHERE assure_code = ? AND period = ?`,
			micros(at), assure, period); err != nil {
			return err
		}
		refs, err := stringsOf(w.tx.QueryContext(ctx, `SELECT ref FROM cbec_guarantee_refs WHERE assure_code = ? AND period = ? ORDER BY ref`, assure, period))
		if err != nil {
			return err
		}
		t := at.UTC()
		p.PaidAt = &t
		return ecommerce.ReleaseGuarantees(ctx, w, refs, at)
	})
	return p, err
}

func stringsOf(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (s *cbecStore) Registrations(ctx context.Context) ([]ecommerce.Registration, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT code, scc, name_zh, roles FROM cbec_registrations ORDER BY code`)
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
	db := (*DB)(s)
	db.wmu.Lock()
	defer db.wmu.Unlock()
	_, err := db.w.ExecContext(ctx, `INSERT INTO cbec_registrations (code, scc, name_zh, roles) VALUES (?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET scc = excluded.scc, name_zh = excluded.name_zh, roles = excluded.roles`,
		r.Code, r.SCC, r.NameZH, strings.Join(r.Roles, ","))
	return err
}

func (s *cbecStore) Cursor(ctx context.Context, name string) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT seq FROM cbec_cursors WHERE name = ?`, name).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func (s *cbecStore) SetCursor(ctx context.Context, name string, seq int64) error {
	db := (*DB)(s)
	db.wmu.Lock()
	defer db.wmu.Unlock()
	_, err := db.w.ExecContext(ctx, `INSERT INTO cbec_cursors (name, seq) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET seq = excluded.seq`, name, seq)
	return err
}

func (s *cbecStore) MaxListID(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM cbec_lists`).Scan(&n)
	return n, err
}
