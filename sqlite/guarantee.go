package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/enterprise"
)

// Guarantees returns the guarantee accounts and their debits.
func (db *DB) Guarantees() enterprise.GuaranteeStore { return (*guaranteeStore)(db) }

type guaranteeStore DB

// prep returns q prepared on the transaction, once per transaction.
func (w *writeTx) prep(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := w.more[q]; st != nil {
		return st, nil
	}
	st, err := w.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if w.more == nil {
		w.more = map[string]*sql.Stmt{}
	}
	w.more[q] = st
	return st, nil
}

func (w *writeTx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := w.prep(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w *writeTx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := w.prep(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// inTx runs fn in a write transaction of its own.
func (db *DB) inTx(ctx context.Context, fn func(*writeTx) error) error {
	return db.update(ctx, "", func(tx *sql.Tx) error { return fn(&writeTx{db: db, tx: tx}) })
}

const accountColumns = `id, scc, kind, consolidated, amount, balance, valid_from, valid_to, updated_at, bill`

func scanAccount(row interface{ Scan(...any) error }) (enterprise.GuaranteeAccount, error) {
	var a enterprise.GuaranteeAccount
	var amount, balance string
	var updated int64
	err := row.Scan(&a.ID, &a.SCC, &a.Kind, &a.Consolidated, &amount, &balance, &a.ValidFrom, &a.ValidTo, &updated, &a.Bill)
	if errors.Is(err, sql.ErrNoRows) {
		return a, accountNotFound()
	}
	if err != nil {
		return a, err
	}
	a.UpdatedAt = fromMicros(updated)
	if a.Amount, err = decimal.NewFromString(amount); err == nil {
		a.Balance, err = decimal.NewFromString(balance)
	}
	return a, err
}

func accountNotFound() error { return jinguan.NotFound("担保账户", "guarantee account") }

func collectAccounts(rows *sql.Rows, err error) ([]enterprise.GuaranteeAccount, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.GuaranteeAccount
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// The single writer serialises every write, so "locking" is reading.

func (w *writeTx) LockGuaranteeAccounts(ctx context.Context, scc string) ([]enterprise.GuaranteeAccount, error) {
	return collectAccounts(w.query(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts WHERE scc = ? ORDER BY id`, scc))
}

func (w *writeTx) LockGuaranteeAccount(ctx context.Context, id string) (enterprise.GuaranteeAccount, error) {
	st, err := w.prep(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts WHERE id = ?`)
	if err != nil {
		return enterprise.GuaranteeAccount{}, err
	}
	return scanAccount(st.QueryRowContext(ctx, id))
}

const debitColumns = `ref, account, amount, debited_at, restored_at`

func scanDebit(row interface{ Scan(...any) error }) (enterprise.GuaranteeDebit, error) {
	var d enterprise.GuaranteeDebit
	var amount string
	var debited int64
	var restored sql.NullInt64
	err := row.Scan(&d.Ref, &d.Account, &amount, &debited, &restored)
	if errors.Is(err, sql.ErrNoRows) {
		return d, jinguan.NotFound("担保扣减记录", "guarantee debit")
	}
	if err != nil {
		return d, err
	}
	d.DebitedAt = fromMicros(debited)
	if restored.Valid {
		d.RestoredAt = fromMicros(restored.Int64)
	}
	d.Amount, err = decimal.NewFromString(amount)
	return d, err
}

func (w *writeTx) GuaranteeDebit(ctx context.Context, ref string) (enterprise.GuaranteeDebit, error) {
	st, err := w.prep(ctx, `SELECT `+debitColumns+` FROM guarantee_debits WHERE ref = ?`)
	if err != nil {
		return enterprise.GuaranteeDebit{}, err
	}
	return scanDebit(st.QueryRowContext(ctx, ref))
}

func (w *writeTx) PutGuaranteeDebit(ctx context.Context, d enterprise.GuaranteeDebit, balance decimal.Decimal, at time.Time) error {
	var restored any
	if !d.RestoredAt.IsZero() {
		restored = micros(d.RestoredAt)
	}
	_, err := w.exec(ctx, `INSERT INTO guarantee_debits (`+debitColumns+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (ref) DO UPDATE SET restored_at = excluded.restored_at`,
		d.Ref, d.Account, d.Amount.String(), micros(d.DebitedAt), restored)
	if err != nil {
		return mapErr(err)
	}
	res, err := w.exec(ctx, `UPDATE guarantee_accounts SET balance = ?, updated_at = ? WHERE id = ?`,
		balance.String(), micros(at), d.Account)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmpErr(err, accountNotFound())
	}
	return nil
}

func (s *guaranteeStore) InGuaranteeTx(ctx context.Context, fn func(enterprise.GuaranteeTx) error) error {
	return (*DB)(s).inTx(ctx, func(w *writeTx) error { return fn(w) })
}

func (s *guaranteeStore) PutGuaranteeAccount(ctx context.Context, a enterprise.GuaranteeAccount, ev enterprise.GuaranteeEvent) (enterprise.GuaranteeAccount, error) {
	err := (*DB)(s).inTx(ctx, func(w *writeTx) error {
		rows, err := w.tx.QueryContext(ctx, `SELECT amount FROM guarantee_debits WHERE account = ? AND restored_at IS NULL`, a.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		outstanding := decimal.Zero
		for rows.Next() {
			var amt string
			if err := rows.Scan(&amt); err != nil {
				return err
			}
			d, err := decimal.NewFromString(amt)
			if err != nil {
				return err
			}
			outstanding = outstanding.Add(d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var seq int
		if err := w.tx.QueryRowContext(ctx, `SELECT count(*) FROM guarantee_events WHERE account = ?`, a.ID).Scan(&seq); err != nil {
			return err
		}
		a.Balance = a.Amount.Sub(outstanding)
		_, err = w.tx.ExecContext(ctx, `INSERT INTO guarantee_accounts (`+accountColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET scc = excluded.scc, kind = excluded.kind, consolidated = excluded.consolidated,
			amount = excluded.amount, balance = excluded.balance, valid_from = excluded.valid_from,
			valid_to = excluded.valid_to, updated_at = excluded.updated_at, bill = excluded.bill`,
			a.ID, a.SCC, a.Kind, a.Consolidated, a.Amount.String(), a.Balance.String(), a.ValidFrom, a.ValidTo, micros(a.UpdatedAt), a.Bill)
		if err != nil {
			return mapErr(err)
		}
		ev.Account, ev.Action = a.ID, "register"
		if seq > 0 {
			ev.Action = "change"
		}
		if ev.Data, err = json.Marshal(a); err != nil {
			return err
		}
		_, err = w.tx.ExecContext(ctx, `INSERT INTO guarantee_events (account, seq, action, actor, role, at, reason, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ev.Account, seq+1, ev.Action, ev.Actor, ev.Role, micros(ev.At), ev.Reason, string(ev.Data))
		return mapErr(err)
	})
	return a, err
}

func (s *guaranteeStore) GuaranteeAccount(ctx context.Context, id string) (enterprise.GuaranteeAccount, error) {
	return scanAccount(s.r.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts WHERE id = ?`, id))
}

func (s *guaranteeStore) GuaranteeAccounts(ctx context.Context, scc string) ([]enterprise.GuaranteeAccount, error) {
	if scc == "" {
		return collectAccounts(s.r.QueryContext(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts ORDER BY scc, id`))
	}
	return collectAccounts(s.r.QueryContext(ctx, `SELECT `+accountColumns+` FROM guarantee_accounts WHERE scc = ? ORDER BY id`, scc))
}

func (s *guaranteeStore) GuaranteeDebits(ctx context.Context, account string, outstanding bool, limit int) ([]enterprise.GuaranteeDebit, error) {
	q := `SELECT ` + debitColumns + ` FROM guarantee_debits WHERE account = ?`
	if outstanding {
		q += ` AND restored_at IS NULL`
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY debited_at DESC, ref DESC LIMIT ?`, account, max(limit, 1))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.GuaranteeDebit
	for rows.Next() {
		d, err := scanDebit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *guaranteeStore) GuaranteeEvents(ctx context.Context, account string) ([]enterprise.GuaranteeEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT action, actor, role, at, reason, data FROM guarantee_events
		WHERE account = ? ORDER BY seq`, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.GuaranteeEvent
	for rows.Next() {
		e := enterprise.GuaranteeEvent{Account: account}
		var at int64
		var data string
		if err := rows.Scan(&e.Action, &e.Actor, &e.Role, &at, &e.Reason, &data); err != nil {
			return nil, err
		}
		e.At, e.Data = fromMicros(at), []byte(data)
		out = append(out, e)
	}
	return out, rows.Err()
}
