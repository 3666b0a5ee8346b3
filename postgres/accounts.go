package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
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
