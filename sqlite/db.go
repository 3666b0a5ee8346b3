// Package sqlite stores declarations, users and enterprises in one SQLite
// file (modernc.org/sqlite, no cgo).
//
// All writes go through one connection guarded by a mutex: SQLite has a
// single writer anyway, and owning it in-process avoids SQLITE_BUSY and
// lets ids be allocated in memory. Reads use a separate pool of read-only
// connections; in WAL mode they see the last commit and never wait for the
// writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers driver "sqlite"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is one open database file.
type DB struct {
	w *sql.DB // exactly one connection: the writer
	r *sql.DB // read-only pool

	wmu    sync.Mutex   // held for a whole write transaction
	nextID atomic.Int64 // next declaration id, reserved outside the writer too
	saved  int64        // nextID as last written to the sequences table; guarded by wmu
	quotas quotaCache   // buyers' annual totals as last committed; guarded by wmu
	stmts  [nStmts]*sql.Stmt
	rget   *sql.Stmt // Get on the read pool

	applied []string // migrations applied by this Open, for tests

	path  string     // the database file
	walMu sync.Mutex // guards wal
	wal   *os.File   // the WAL, opened by the first syncWAL

	ckpt     *sql.DB       // one connection that copies the WAL into the database
	ckptWake chan struct{} // syncWAL asks for a checkpoint
	ckptDone chan struct{}
	ckpts    atomic.Int64 // checkpoints the checkpointer has run
}

// Open opens or creates the database at path and applies new migrations.
func Open(path string) (*DB, error) {
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: %q: a path may not contain '?'", path) // it starts the DSN parameters
	}
	common := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	// synchronous=FULL syncs the WAL on every commit: an acknowledged batch
	// survives power loss, not only a process crash. temp_store keeps the
	// per-op savepoint journals in memory instead of a temporary file.
	// wal_autocheckpoint: see walAutoCheckpoint.
	writer := common + "&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)" +
		"&_pragma=cache_size(-16000)&_pragma=temp_store(memory)" +
		"&_pragma=wal_autocheckpoint(" + strconv.Itoa(walAutoCheckpoint) + ")&_txlock=immediate"
	w, err := sql.Open("sqlite", path+writer)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{w: w, path: path}
	if err := db.migrate(); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	// The readers open after the writer has set WAL mode on the file.
	r, err := sql.Open("sqlite", path+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.r = r
	// The checkpointer is a plain connection: it writes no rows, only
	// copies committed pages from the WAL into the database file.
	c, err := sql.Open("sqlite", path+common)
	if err != nil {
		db.Close()
		return nil, err
	}
	c.SetMaxOpenConns(1)
	db.ckpt, db.ckptWake, db.ckptDone = c, make(chan struct{}, 1), make(chan struct{})
	go db.checkpointer()
	if err := db.prepare(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both pools, first refreshing the planner's statistics as
// SQLite advises.
func (db *DB) Close() error {
	if db.ckpt != nil {
		close(db.ckptWake)
		<-db.ckptDone
		db.ckpt.Close()
	}
	db.wmu.Lock()
	defer db.wmu.Unlock()
	db.w.Exec(`PRAGMA optimize`)
	db.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	db.walMu.Lock()
	defer db.walMu.Unlock()
	var werr error
	if db.wal != nil {
		werr = db.wal.Close()
	}
	return errors.Join(db.r.Close(), db.w.Close(), werr)
}

// syncWAL makes every commit so far durable, as synchronous=FULL would
// have at each commit: it syncs the WAL file, which holds the commits made
// with synchronous=NORMAL since the last checkpoint (a checkpoint syncs the
// WAL before copying it and the database after). It runs beside the
// writer, so the next transaction is written while the disk syncs.
func (db *DB) syncWAL() error {
	db.walMu.Lock()
	defer db.walMu.Unlock()
	if db.wal == nil {
		// Kept open: the writer's connection keeps the WAL file in place,
		// and closing a file can drop a process's POSIX locks on it.
		f, err := os.OpenFile(db.path+"-wal", os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("sqlite: open WAL: %w", err)
		}
		db.wal = f
	}
	if err := db.wal.Sync(); err != nil {
		return err
	}
	select {
	case db.ckptWake <- struct{}{}:
	default:
	}
	return nil
}

// walAutoCheckpoint is the WAL size, in pages, past which each commit of
// the writer checkpoints: ~40 MB instead of SQLite's 4 MB, so index pages
// rewritten by many commits are copied once (measured +15 % declarations/s
// in bench declarations). Only a checkpoint that copies the whole WAL lets
// the next commit start it again from its beginning; under steady load
// only the writer's own does, as no commit comes in between. The
// checkpointer keeps what is left for that one small (checkpointNear).
const walAutoCheckpoint = 10000

// checkpointGap is the least time between two checkpoints while batches
// keep coming: a page that many commits rewrite (an index's last page, a
// busy buyer's quota) is then copied once per checkpoint, not once per
// commit. At 20,000 lists a second the WAL grows ~20 MB in that time.
var checkpointGap = 250 * time.Millisecond

// checkpointNear is the WAL size, in pages, from which the checkpointer
// copies after every commit, without the gap: the writer's own checkpoint,
// due at walAutoCheckpoint, then finds about one commit left to copy
// instead of everything since the checkpointer's last run (at 500,000
// lists, the writer did more than half of all checkpointing).
var checkpointNear int64 = walAutoCheckpoint * 7 / 10

// checkpointer copies the WAL into the database beside the writer
// (PASSIVE: it never blocks the writer or the readers), so that the
// writer's own automatic checkpoint finds little left to copy and sync.
// Batches synced apart from their commit wake it; a wake too soon after
// the last complete checkpoint is served when the gap has passed.
func (db *DB) checkpointer() {
	defer close(db.ckptDone)
	var last time.Time
	var due <-chan time.Time // set while a wake waits for the gap
	for {
		select {
		case _, ok := <-db.ckptWake:
			if !ok {
				return
			}
			if due != nil {
				continue
			}
			if wait := checkpointGap - time.Since(last); wait > 0 {
				due = time.After(wait)
				continue
			}
		case <-due:
			due = nil
		}
		// Best effort: the writer's own checkpoint remains. The WAL starts
		// again from its beginning only once a checkpoint has copied all of
		// it, so one that could not (the writer committed meanwhile) is
		// followed by the next at the next wake.
		var busy, log, copied int64
		err := db.ckpt.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied)
		db.ckpts.Add(1)
		if last = time.Now(); err != nil || copied < log || log >= checkpointNear {
			last = time.Time{}
		}
	}
}

// Declarations returns the declaration store.
func (db *DB) Declarations() declaration.Store { return (*declStore)(db) }

// Users returns the user store.
func (db *DB) Users() auth.Store { return (*userStore)(db) }

// Enterprises returns the enterprise registry.
func (db *DB) Enterprises() enterprise.Store { return (*enterpriseStore)(db) }

// update runs fn in a transaction of its own on the single writer. sync
// "NORMAL" commits without waiting for the disk, for rows derived from
// others already committed (projections, recomputed results): a crash can
// only set them back, consistently, never lose what they derive from.
// "" keeps the writer's FULL.
func (db *DB) update(ctx context.Context, sync string, fn func(*sql.Tx) error) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	return db.updateLocked(ctx, sync, fn)
}

// updateLocked is update for a caller that holds the writer lock.
func (db *DB) updateLocked(ctx context.Context, sync string, fn func(*sql.Tx) error) error {
	if sync != "" {
		if _, err := db.w.ExecContext(ctx, `PRAGMA synchronous = `+sync); err != nil {
			return err
		}
		defer db.w.ExecContext(context.Background(), `PRAGMA synchronous = FULL`)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// migrate applies, in name order, the embedded migrations not yet recorded
// in schema_migrations, each in its own transaction.
func (db *DB) migrate() error {
	ctx := context.Background()
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		version := name[len("migrations/"):]
		ok, err := db.applyMigration(ctx, version, string(body))
		if err != nil {
			return fmt.Errorf("%s: %w", version, err)
		}
		if ok {
			db.applied = append(db.applied, version)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version, body string) (bool, error) {
	tx, err := db.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: another process waits here
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil || n > 0 {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		version, time.Now().UnixMicro()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
