package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
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
