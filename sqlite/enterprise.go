package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/enterprise"
)

type enterpriseStore DB

// microsOrZero stores "never" as 0.
func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// jsonOrNull stores nil and empty values as NULL.
func jsonOrNull(v any, empty bool) (any, error) {
	if empty {
		return nil, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func (s *enterpriseStore) PutEnterprise(ctx context.Context, e enterprise.Enterprise) error {
	roles, err := json.Marshal(e.Roles)
	if err != nil {
		return err
	}
	rep, err1 := jsonOrNull(e.LegalRep, e.LegalRep == nil)
	contacts, err2 := jsonOrNull(e.Contacts, len(e.Contacts) == 0)
	aeo, err3 := jsonOrNull(e.AEO, e.AEO == nil)
	partners, err4 := jsonOrNull(e.AEOPartners, len(e.AEOPartners) == 0)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return err
	}
	status := e.Status
	if status == "" {
		status = enterprise.StatusActive
	}
	db := (*DB)(s)
	db.wmu.Lock()
	defer db.wmu.Unlock()
	_, err = db.w.ExecContext(ctx, `INSERT INTO enterprises (scc, name_zh, name_en, roles, customs, guarantee,
		registered_at, status, address, legal_rep, contacts, aeo, aeo_partners, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scc) DO UPDATE SET name_zh = excluded.name_zh,
		name_en = excluded.name_en, roles = excluded.roles, customs = excluded.customs,
		guarantee = excluded.guarantee, registered_at = excluded.registered_at, status = excluded.status,
		address = excluded.address, legal_rep = excluded.legal_rep, contacts = excluded.contacts, aeo = excluded.aeo,
		aeo_partners = excluded.aeo_partners, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		e.SCC, e.NameZH, e.NameEN, string(roles), e.Customs, e.Guarantee, micros(e.RegisteredAt), string(status),
		e.Address, rep, contacts, aeo, partners, microsOrZero(e.UpdatedAt), e.UpdatedBy)
	return mapErr(err)
}

const enterpriseColumns = `scc, name_zh, name_en, roles, customs, guarantee, registered_at, status, address,
	legal_rep, contacts, aeo, aeo_partners, updated_at, updated_by`

func (s *enterpriseStore) Enterprise(ctx context.Context, scc string) (enterprise.Enterprise, error) {
	e, err := scanEnterprise(s.r.QueryRowContext(ctx, `SELECT `+enterpriseColumns+` FROM enterprises WHERE scc = ?`, scc))
	if errors.Is(err, sql.ErrNoRows) {
		return e, jinguan.NotFound("企业", "enterprise")
	}
	return e, err
}

// ListEnterprises returns all enterprises by SCC.
func (s *enterpriseStore) ListEnterprises(ctx context.Context) ([]enterprise.Enterprise, error) {
	out, _, err := s.query(ctx, `SELECT `+enterpriseColumns+` FROM enterprises ORDER BY scc`, -1)
	return out, err
}

// FindEnterprises returns one page in SCC order.
func (s *enterpriseStore) FindEnterprises(ctx context.Context, f enterprise.Filter) ([]enterprise.Enterprise, bool, error) {
	var where []string
	var args []any
	if f.Area != "" {
		where, args = append(where, `customs >= ? AND customs < ?`), append(args, f.Area, f.Area+"\xff")
	}
	if len(f.SCCs) > 0 {
		where = append(where, `scc IN (SELECT value FROM json_each(?))`)
		b, _ := json.Marshal(f.SCCs)
		args = append(args, string(b))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, `(instr(name_zh, ?) > 0 OR instr(lower(name_en), lower(?)) > 0 OR instr(scc, upper(?)) > 0)`)
		args = append(args, q, q, q)
	}
	if f.Role != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(roles) WHERE value = ?)`)
		args = append(args, f.Role)
	}
	if f.Status != "" {
		where, args = append(where, `status = ?`), append(args, string(f.Status))
	}
	if f.After != "" {
		where, args = append(where, `scc > ?`), append(args, f.After)
	}
	q := `SELECT ` + enterpriseColumns + ` FROM enterprises`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 || limit > enterprise.MaxPage {
		limit = enterprise.MaxPage
	}
	return s.query(ctx, q+` ORDER BY scc LIMIT ?`, limit, append(args, limit+1)...)
}

// query reads enterprises; limit ≥ 0 reads one more row to say whether
// more follow.
func (s *enterpriseStore) query(ctx context.Context, q string, limit int, args ...any) ([]enterprise.Enterprise, bool, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []enterprise.Enterprise
	for rows.Next() {
		e, err := scanEnterprise(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, e)
	}
	if limit >= 0 && len(out) > limit {
		return out[:limit], true, rows.Err()
	}
	return out, false, rows.Err()
}

func scanEnterprise(row interface{ Scan(...any) error }) (enterprise.Enterprise, error) {
	var e enterprise.Enterprise
	var roles string
	var registered, updated int64
	var rep, contacts, aeo, partners sql.NullString
	if err := row.Scan(&e.SCC, &e.NameZH, &e.NameEN, &roles, &e.Customs, &e.Guarantee, &registered, &e.Status,
		&e.Address, &rep, &contacts, &aeo, &partners, &updated, &e.UpdatedBy); err != nil {
		return enterprise.Enterprise{}, err
	}
	e.RegisteredAt = fromMicros(registered)
	if updated != 0 {
		e.UpdatedAt = fromMicros(updated)
	}
	var errs []error
	unmarshal := func(ns sql.NullString, v any) {
		if ns.Valid {
			errs = append(errs, json.Unmarshal([]byte(ns.String), v))
		}
	}
	errs = append(errs, json.Unmarshal([]byte(roles), &e.Roles))
	unmarshal(rep, &e.LegalRep)
	unmarshal(contacts, &e.Contacts)
	unmarshal(aeo, &e.AEO)
	unmarshal(partners, &e.AEOPartners)
	if e.AEO != nil {
		e.AEO.ValidFrom = e.AEO.ValidFrom.UTC()
		if e.AEO.ValidTo != nil {
			to := e.AEO.ValidTo.UTC()
			e.AEO.ValidTo = &to
		}
	}
	return e, errors.Join(errs...)
}
