package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/enterprise"
)

type userStore DB

// PutUser upserts by name; a token hash held by another user is a conflict.
func (s *userStore) PutUser(ctx context.Context, u auth.User) error {
	db := (*DB)(s)
	db.wmu.Lock()
	defer db.wmu.Unlock()
	_, err := db.w.ExecContext(ctx, `INSERT INTO users (name, role, enterprise, office, token_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role,
		enterprise = excluded.enterprise, office = excluded.office, token_hash = excluded.token_hash,
		created_at = excluded.created_at`,
		u.Name, string(u.Role), u.Enterprise, u.Office, u.TokenHash, micros(u.CreatedAt))
	return mapErr(err)
}

func (s *userStore) UserByTokenHash(ctx context.Context, hash string) (auth.User, error) {
	var u auth.User
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT name, role, enterprise, office, token_hash, created_at
		FROM users WHERE token_hash = ?`, hash).Scan(&u.Name, &u.Role, &u.Enterprise, &u.Office, &u.TokenHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, jinguan.NotFound("用户", "user")
	}
	u.CreatedAt = fromMicros(created)
	return u, err
}

type enterpriseStore DB

func (s *enterpriseStore) PutEnterprise(ctx context.Context, e enterprise.Enterprise) error {
	roles, err := json.Marshal(e.Roles)
	if err != nil {
		return err
	}
	db := (*DB)(s)
	db.wmu.Lock()
	defer db.wmu.Unlock()
	_, err = db.w.ExecContext(ctx, `INSERT INTO enterprises (scc, name_zh, name_en, roles, customs, guarantee,
		registered_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scc) DO UPDATE SET name_zh = excluded.name_zh,
		name_en = excluded.name_en, roles = excluded.roles, customs = excluded.customs,
		guarantee = excluded.guarantee, registered_at = excluded.registered_at`,
		e.SCC, e.NameZH, e.NameEN, string(roles), e.Customs, e.Guarantee, micros(e.RegisteredAt))
	return mapErr(err)
}

const enterpriseColumns = `scc, name_zh, name_en, roles, customs, guarantee, registered_at`

func (s *enterpriseStore) Enterprise(ctx context.Context, scc string) (enterprise.Enterprise, error) {
	e, err := scanEnterprise(s.r.QueryRowContext(ctx, `SELECT `+enterpriseColumns+` FROM enterprises WHERE scc = ?`, scc))
	if errors.Is(err, sql.ErrNoRows) {
		return e, jinguan.NotFound("企业", "enterprise")
	}
	return e, err
}

// ListEnterprises returns all enterprises by SCC.
func (s *enterpriseStore) ListEnterprises(ctx context.Context) ([]enterprise.Enterprise, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+enterpriseColumns+` FROM enterprises ORDER BY scc`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.Enterprise
	for rows.Next() {
		e, err := scanEnterprise(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEnterprise(row interface{ Scan(...any) error }) (enterprise.Enterprise, error) {
	var e enterprise.Enterprise
	var roles string
	var registered int64
	if err := row.Scan(&e.SCC, &e.NameZH, &e.NameEN, &roles, &e.Customs, &e.Guarantee, &registered); err != nil {
		return enterprise.Enterprise{}, err
	}
	e.RegisteredAt = fromMicros(registered)
	return e, json.Unmarshal([]byte(roles), &e.Roles)
}
