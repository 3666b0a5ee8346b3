package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/jinguan-customs/jinguan/risk"
)

// RiskModels returns the store of trained risk models.
func (db *DB) RiskModels() risk.ModelStore { return (*modelStore)(db) }

type modelStore DB

func (s *modelStore) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return (*DB)(s).update(ctx, "", func(tx *sql.Tx) error { return mapErr(fn(tx)) })
}

func addModelEvent(ctx context.Context, tx *sql.Tx, ev risk.ModelEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO risk_model_events (version, action, actor, role, at, reason)
		VALUES (?, ?, ?, ?, ?, ?)`, ev.Version, ev.Action, ev.Actor, ev.Role, micros(ev.At), ev.Reason)
	return err
}

func (s *modelStore) PutModel(ctx context.Context, m *risk.StoredModel, ev risk.ModelEvent) (int, error) {
	var version int
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM risk_models`).Scan(&version); err != nil {
			return err
		}
		doc, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_models (version, status, created_at, doc, file) VALUES (?, ?, ?, ?, ?)`,
			version, string(m.Status), micros(m.CreatedAt), string(doc), m.File); err != nil {
			return err
		}
		ev.Version = version
		return addModelEvent(ctx, tx, ev)
	})
	return version, err
}

func (s *modelStore) ActivateModel(ctx context.Context, version, from int, ev risk.ModelEvent) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var active int
		err := tx.QueryRowContext(ctx, `SELECT version FROM risk_models WHERE status = 'active'`).Scan(&active)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if active != from {
			return risk.ModelConflict(from, active)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE risk_models SET status = 'retired' WHERE status = 'active'`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE risk_models SET status = 'active' WHERE version = ?`, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return risk.ModelNotFound(version)
		}
		ev.Version = version
		return addModelEvent(ctx, tx, ev)
	})
}

func scanModel(version int, status string, doc []byte) (risk.StoredModel, error) {
	var m risk.StoredModel
	err := json.Unmarshal(doc, &m)
	m.Version, m.Status = version, risk.ModelStatus(status)
	return m, err
}

func (s *modelStore) Models(ctx context.Context) ([]risk.StoredModel, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT version, status, doc FROM risk_models ORDER BY version DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.StoredModel
	for rows.Next() {
		var version int
		var status string
		var doc []byte
		if err := rows.Scan(&version, &status, &doc); err != nil {
			return nil, err
		}
		m, err := scanModel(version, status, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *modelStore) Model(ctx context.Context, version int) (*risk.StoredModel, error) {
	var status string
	var doc, file []byte
	err := s.r.QueryRowContext(ctx, `SELECT status, doc, file FROM risk_models WHERE version = ?`, version).Scan(&status, &doc, &file)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, risk.ModelNotFound(version)
	} else if err != nil {
		return nil, err
	}
	m, err := scanModel(version, status, doc)
	m.File = file
	return &m, err
}

func (s *modelStore) ActiveModelVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT version FROM risk_models WHERE status = 'active'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func (s *modelStore) ModelEvents(ctx context.Context, limit int) ([]risk.ModelEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT version, action, actor, role, at, reason FROM risk_model_events
		ORDER BY seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.ModelEvent
	for rows.Next() {
		var e risk.ModelEvent
		var at int64
		if err := rows.Scan(&e.Version, &e.Action, &e.Actor, &e.Role, &at, &e.Reason); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
