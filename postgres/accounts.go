package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/enterprise"
)

type userStore DB

// PutUser upserts by name; a token hash held by another user is a conflict.
func (s *userStore) PutUser(ctx context.Context, u auth.User) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO users (name, role, enterprise, office, token_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO UPDATE SET role = excluded.role,
		enterprise = excluded.enterprise, office = excluded.office, token_hash = excluded.token_hash,
		created_at = excluded.created_at`,
		u.Name, string(u.Role), u.Enterprise, u.Office, u.TokenHash, u.CreatedAt)
	return mapErr(err)
}

func (s *userStore) UserByTokenHash(ctx context.Context, hash string) (auth.User, error) {
	var u auth.User
	err := s.pool.QueryRow(ctx, `SELECT name, role, enterprise, office, token_hash, created_at
		FROM users WHERE token_hash = $1`, hash).Scan(&u.Name, &u.Role, &u.Enterprise, &u.Office, &u.TokenHash, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.User{}, jinguan.NotFound("用户", "user")
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

type enterpriseStore DB

func (s *enterpriseStore) PutEnterprise(ctx context.Context, e enterprise.Enterprise) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO enterprises (scc, name_zh, name_en, roles, customs, guarantee,
		registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (scc) DO UPDATE SET name_zh = excluded.name_zh,
		name_en = excluded.name_en, roles = excluded.roles, customs = excluded.customs,
		guarantee = excluded.guarantee, registered_at = excluded.registered_at`,
		e.SCC, e.NameZH, e.NameEN, e.Roles, e.Customs, e.Guarantee, e.RegisteredAt)
	return mapErr(err)
}

const enterpriseColumns = `scc, name_zh, name_en, roles, customs, guarantee, registered_at`

func (s *enterpriseStore) Enterprise(ctx context.Context, scc string) (enterprise.Enterprise, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+enterpriseColumns+` FROM enterprises WHERE scc = $1`, scc)
	e, err := pgx.CollectExactlyOneRow(rows, scanEnterprise)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, jinguan.NotFound("企业", "enterprise")
	}
	return e, err
}

// ListEnterprises returns all enterprises by SCC.
func (s *enterpriseStore) ListEnterprises(ctx context.Context) ([]enterprise.Enterprise, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+enterpriseColumns+` FROM enterprises ORDER BY scc COLLATE "C"`)
	return pgx.CollectRows(rows, scanEnterprise)
}

func scanEnterprise(row pgx.CollectableRow) (enterprise.Enterprise, error) {
	var e enterprise.Enterprise
	err := row.Scan(&e.SCC, &e.NameZH, &e.NameEN, &e.Roles, &e.Customs, &e.Guarantee, &e.RegisteredAt)
	e.RegisteredAt = e.RegisteredAt.UTC()
	return e, err
}
