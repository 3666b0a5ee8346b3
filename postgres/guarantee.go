package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Guarantees returns the guarantee accounts and their debits.
func (db *DB) Guarantees() enterprise.GuaranteeStore { return (*guaranteeStore)(db) }

type guaranteeStore DB

// inTx runs fn in a transaction of its own.
func (db *DB) inTx(ctx context.Context, fn func(*writeTx) error) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return fn(&writeTx{db: db, tx: tx}) })
}

const accountColumns = `id, scc, kind, consolidated, amount, balance, valid_from, valid_to, updated_at, bill`

func scanAccount(row pgx.Row) (enterprise.GuaranteeAccount, error) {
	var a enterprise.GuaranteeAccount
	err := row.Scan(&a.ID, &a.SCC, &a.Kind, &a.Consolidated, &a.Amount, &a.Balance, &a.ValidFrom, &a.ValidTo, &a.UpdatedAt, &a.Bill)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, accountNotFound()
	}
	a.UpdatedAt = a.UpdatedAt.UTC()
	return a, err
}

func accountNotFound() error { return jinguan.NotFound("担保账户", "guarantee account") }

func collectAccounts(rows pgx.Rows, err error) ([]enterprise.GuaranteeAccount, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (enterprise.GuaranteeAccount, error) { return scanAccount(r) })
}

func (w *writeTx) LockGuaranteeAccounts(ctx context.Context, scc string) ([]enterprise.GuaranteeAccount, error) {
	return collectAccounts(w.tx.Query(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts
		WHERE scc = $1 ORDER BY id COLLATE "C" FOR UPDATE`, scc))
}

func (w *writeTx) LockGuaranteeAccount(ctx context.Context, id string) (enterprise.GuaranteeAccount, error) {
	return scanAccount(w.tx.QueryRow(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts WHERE id = $1 FOR UPDATE`, id))
}

const debitColumns = `ref, account, amount, debited_at, restored_at`

func scanDebit(row pgx.Row) (enterprise.GuaranteeDebit, error) {
	var d enterprise.GuaranteeDebit
	var restored *time.Time
	err := row.Scan(&d.Ref, &d.Account, &d.Amount, &d.DebitedAt, &restored)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, jinguan.NotFound("担保扣减记录", "guarantee debit")
	}
	d.DebitedAt = d.DebitedAt.UTC()
	if restored != nil {
		d.RestoredAt = restored.UTC()
	}
	return d, err
}

func (w *writeTx) GuaranteeDebit(ctx context.Context, ref string) (enterprise.GuaranteeDebit, error) {
	return scanDebit(w.tx.QueryRow(ctx, `SELECT `+debitColumns+` FROM guarantee_debits WHERE ref = $1`, ref))
}

func (w *writeTx) PutGuaranteeDebit(ctx context.Context, d enterprise.GuaranteeDebit, balance decimal.Decimal, at time.Time) error {
	var restored *time.Time
	if !d.RestoredAt.IsZero() {
		restored = &d.RestoredAt
	}
	if _, err := w.tx.Exec(ctx, `INSERT INTO guarantee_debits (`+debitColumns+`) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (ref) DO UPDATE SET restored_at = excluded.restored_at`,
		d.Ref, d.Account, d.Amount, d.DebitedAt, restored); err != nil {
		return mapErr(err)
	}
	tag, err := w.tx.Exec(ctx, `UPDATE guarantee_accounts SET balance = $1, updated_at = $2 WHERE id = $3`, balance, at, d.Account)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return accountNotFound()
	}
	return nil
}

func (s *guaranteeStore) InGuaranteeTx(ctx context.Context, fn func(enterprise.GuaranteeTx) error) error {
	return (*DB)(s).inTx(ctx, func(w *writeTx) error { return fn(w) })
}

func (s *guaranteeStore) PutGuaranteeAccount(ctx context.Context, a enterprise.GuaranteeAccount, ev enterprise.GuaranteeEvent) (enterprise.GuaranteeAccount, error) {
	err := (*DB)(s).inTx(ctx, func(w *writeTx) error {
		// The account row, if any, is locked first so that no debit slips
		// between summing the outstanding debits and writing the balance.
		var seq int
		if _, err := w.tx.Exec(ctx, `SELECT 1 FROM guarantee_accounts WHERE id = $1 FOR UPDATE`, a.ID); err != nil {
			return err
		}
		var outstanding decimal.Decimal
		if err := w.tx.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM guarantee_debits
			WHERE account = $1 AND restored_at IS NULL`, a.ID).Scan(&outstanding); err != nil {
			return err
		}
		if err := w.tx.QueryRow(ctx, `SELECT count(*) FROM guarantee_events WHERE account = $1`, a.ID).Scan(&seq); err != nil {
			return err
		}
		a.Balance = a.Amount.Sub(outstanding)
		if _, err := w.tx.Exec(ctx, `INSERT INTO guarantee_accounts (`+accountColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO UPDATE SET scc = excluded.scc, kind = excluded.kind, consolidated = excluded.consolidated,
			amount = excluded.amount, balance = excluded.balance, valid_from = excluded.valid_from,
			valid_to = excluded.valid_to, updated_at = excluded.updated_at, bill = excluded.bill`,
			a.ID, a.SCC, a.Kind, a.Consolidated, a.Amount, a.Balance, a.ValidFrom, a.ValidTo, a.UpdatedAt, a.Bill); err != nil {
			return mapErr(err)
		}
		ev.Account, ev.Action = a.ID, "register"
		if seq > 0 {
			ev.Action = "change"
		}
		var err error
		if ev.Data, err = json.Marshal(a); err != nil {
			return err
		}
		_, err = w.tx.Exec(ctx, `INSERT INTO guarantee_events (account, seq, action, actor, role, at, reason, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, ev.Account, seq+1, ev.Action, ev.Actor, ev.Role, ev.At, ev.Reason, []byte(ev.Data))
		return mapErr(err)
	})
	a.UpdatedAt = a.UpdatedAt.UTC()
	return a, err
}

func (s *guaranteeStore) GuaranteeAccount(ctx context.Context, id string) (enterprise.GuaranteeAccount, error) {
	return scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts WHERE id = $1`, id))
}

func (s *guaranteeStore) GuaranteeAccounts(ctx context.Context, scc string) ([]enterprise.GuaranteeAccount, error) {
	return collectAccounts(s.pool.Query(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts
		WHERE $1 = '' OR scc = $1 ORDER BY scc COLLATE "C", id COLLATE "C"`, scc))
}

func (s *guaranteeStore) GuaranteeDebits(ctx context.Context, account string, outstanding bool, limit int) ([]enterprise.GuaranteeDebit, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+debitColumns+` FROM guarantee_debits WHERE account = $1
		AND (NOT $2 OR restored_at IS NULL) ORDER BY debited_at DESC, ref COLLATE "C" DESC LIMIT $3`, account, outstanding, max(limit, 1))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (enterprise.GuaranteeDebit, error) { return scanDebit(r) })
}

func (s *guaranteeStore) GuaranteeEvents(ctx context.Context, account string) ([]enterprise.GuaranteeEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT action, actor, role, at, reason, data FROM guarantee_events
		WHERE account = $1 ORDER BY seq`, account)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (enterprise.GuaranteeEvent, error) {
		e := enterprise.GuaranteeEvent{Account: account}
		var data []byte
		err := r.Scan(&e.Action, &e.Actor, &e.Role, &e.At, &e.Reason, &data)
		e.At, e.Data = e.At.UTC(), data
		return e, err
	})
}
