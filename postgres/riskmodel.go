package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/jinguan-customs/jinguan/risk"
)

// RiskModels returns the store of trained risk models.
func (db *DB) RiskModels() risk.ModelStore { return (*modelStore)(db) }

type modelStore DB

func (s *modelStore) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return mapErr(err)
		}
		return nil
	})
}

func addModelEvent(ctx context.Context, tx pgx.Tx, ev risk.ModelEvent) error {
	_, err := tx.Exec(ctx, `INSERT INTO risk_model_events (version, action, actor, role, at, reason)
		VALUES ($1, $2, $3, $4, $5, $6)`, ev.Version, ev.Action, ev.Actor, ev.Role, ev.At, ev.Reason)
	return err
}

func (s *modelStore) PutModel(ctx context.Context, m *risk.StoredModel, ev risk.ModelEvent) (int, error) {
	doc, err := json.Marshal(m)
	if err != nil {
		return 0, err
	}
	var version int
	err = s.write(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO risk_models (status, created_at, doc, file) VALUES ($1, $2, $3, $4)
			RETURNING version`, string(m.Status), m.CreatedAt, string(doc), m.File).Scan(&version); err != nil {
			return err
		}
		ev.Version = version
		return addModelEvent(ctx, tx, ev)
	})
	return version, err
}

func (s *modelStore) ActivateModel(ctx context.Context, version, from int, ev risk.ModelEvent) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		var active int
		err := tx.QueryRow(ctx, `SELECT version FROM risk_models WHERE status = 'active' FOR UPDATE`).Scan(&active)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if active != from {
			return risk.ModelConflict(from, active)
		}
		if _, err := tx.Exec(ctx, `UPDATE risk_models SET status = 'retired' WHERE status = 'active'`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE risk_models SET status = 'active' WHERE version = $1`, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
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
	rows, err := s.pool.Query(ctx, `SELECT version, status, doc FROM risk_models ORDER BY version DESC`)
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
	err := s.pool.QueryRow(ctx, `SELECT status, doc, file FROM risk_models WHERE version = $1`, version).Scan(&status, &doc, &file)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := s.pool.QueryRow(ctx, `SELECT version FROM risk_models WHERE status = 'active'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func (s *modelStore) ModelEvents(ctx context.Context, limit int) ([]risk.ModelEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT version, action, actor, role, at, reason FROM risk_model_events
		ORDER BY seq DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.ModelEvent
	for rows.Next() {
		var e risk.ModelEvent
		if err := rows.Scan(&e.Version, &e.Action, &e.Actor, &e.Role, &e.At, &e.Reason); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
