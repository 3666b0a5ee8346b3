// Package postgres stores declarations, users and enterprises in
// PostgreSQL through a pgx connection pool. Statements are prepared and
// cached per connection by pgx.
//
// Key and event conflicts are detected without raising an error, so an op
// can go on after ECONFLICT as it can on SQLite. Any other database error
// aborts the transaction up to the op's savepoint: the op must return it.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/declaration"
	"github.com/jinguan-customs/jinguan/enterprise"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is one connection pool.
type DB struct {
	pool *pgxpool.Pool

	idMu          sync.Mutex
	nextID, endID int64 // the unused rest of the current id block

	applied []string // migrations applied by this Open, for tests
}

// Open connects to dsn and applies new migrations. The schema is the
// connection's search_path.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Declarations returns the declaration store.
func (db *DB) Declarations() declaration.Store { return (*declStore)(db) }

// Users returns the user store.
func (db *DB) Users() auth.Store { return (*userStore)(db) }

// Enterprises returns the enterprise registry.
func (db *DB) Enterprises() enterprise.Store { return (*enterpriseStore)(db) }

// migrate applies, in name order, the embedded migrations not yet recorded
// in schema_migrations, each in its own transaction. An advisory lock per
// schema makes concurrent starts wait rather than apply twice.
func (db *DB) migrate(ctx context.Context) error {
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
		var applied bool
		err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('jinguan.migrate.' || current_schema()));
				CREATE TABLE IF NOT EXISTS schema_migrations (
					version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version)
			applied = err == nil
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", version, err)
		}
		if applied {
			db.applied = append(db.applied, version)
		}
	}
	return nil
}
