package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/enterprise"
)

type enterpriseStore DB

func (s *enterpriseStore) PutEnterprise(ctx context.Context, e enterprise.Enterprise) error {
	status := e.Status
	if status == "" {
		status = enterprise.StatusActive
	}
	var contacts, partners any
	if len(e.Contacts) > 0 {
		contacts = e.Contacts
	}
	if len(e.AEOPartners) > 0 {
		partners = e.AEOPartners
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO enterprises (scc, name_zh, name_en, roles, customs, guarantee,
		registered_at, status, address, legal_rep, contacts, aeo, aeo_partners, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (scc) DO UPDATE SET
		name_zh = excluded.name_zh, name_en = excluded.name_en, roles = excluded.roles, customs = excluded.customs,
		guarantee = excluded.guarantee, registered_at = excluded.registered_at, status = excluded.status,
		address = excluded.address, legal_rep = excluded.legal_rep, contacts = excluded.contacts, aeo = excluded.aeo,
		aeo_partners = excluded.aeo_partners, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		e.SCC, e.NameZH, e.NameEN, e.Roles, e.Customs, e.Guarantee, e.RegisteredAt, string(status), e.Address,
		e.LegalRep, contacts, e.AEO, partners, orEpoch(e.UpdatedAt), e.UpdatedBy)
	return mapErr(err)
}

const enterpriseColumns = `scc, name_zh, name_en, roles, customs, guarantee, registered_at, status, address,
	legal_rep, contacts, aeo, aeo_partners, updated_at, updated_by`

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

// FindEnterprises returns one page in SCC order.
func (s *enterpriseStore) FindEnterprises(ctx context.Context, f enterprise.Filter) ([]enterprise.Enterprise, bool, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Area != "" {
		where = append(where, `customs LIKE `+arg(likePrefix(f.Area)))
	}
	if len(f.SCCs) > 0 {
		where = append(where, `scc = ANY(`+arg(f.SCCs)+`)`)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg(q)
		where = append(where, `(strpos(name_zh, `+p+`) > 0 OR strpos(lower(name_en), lower(`+p+`)) > 0 OR strpos(scc, upper(`+p+`)) > 0)`)
	}
	if f.Role != "" {
		where = append(where, arg(f.Role)+` = ANY(roles)`)
	}
	if f.Status != "" {
		where = append(where, `status = `+arg(string(f.Status)))
	}
	if f.After != "" {
		where = append(where, `scc COLLATE "C" > `+arg(f.After))
	}
	q := `SELECT ` + enterpriseColumns + ` FROM enterprises`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 || limit > enterprise.MaxPage {
		limit = enterprise.MaxPage
	}
	rows, _ := s.pool.Query(ctx, q+` ORDER BY scc COLLATE "C" LIMIT `+arg(limit+1), args...)
	out, err := pgx.CollectRows(rows, scanEnterprise)
	if err != nil {
		return nil, false, err
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// orEpoch stores "never" as the column default.
func orEpoch(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0)
	}
	return t
}

// likePrefix escapes a prefix for LIKE.
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}

func scanEnterprise(row pgx.CollectableRow) (enterprise.Enterprise, error) {
	var e enterprise.Enterprise
	err := row.Scan(&e.SCC, &e.NameZH, &e.NameEN, &e.Roles, &e.Customs, &e.Guarantee, &e.RegisteredAt, &e.Status,
		&e.Address, &e.LegalRep, &e.Contacts, &e.AEO, &e.AEOPartners, &e.UpdatedAt, &e.UpdatedBy)
	e.RegisteredAt = e.RegisteredAt.UTC()
	if e.UpdatedAt.Unix() == 0 { // never updated: the column's default
		e.UpdatedAt = time.Time{}
	} else {
		e.UpdatedAt = e.UpdatedAt.UTC()
	}
	if e.AEO != nil {
		e.AEO.ValidFrom = e.AEO.ValidFrom.UTC()
		if e.AEO.ValidTo != nil {
			to := e.AEO.ValidTo.UTC()
			e.AEO.ValidTo = &to
		}
	}
	return e, err
}
