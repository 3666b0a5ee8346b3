package risk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/auth"
)

// Registry is the profile registry (布控规则库): versions, statuses and
// their audit trail, watch-lists and reference prices. A profile is
// drafted, activated and retired; editing makes a new draft version and
// keeps the old ones. Every change the engine compiles calls Changed, so
// the running targeting reloads without a restart.
type Registry struct {
	Store    Store
	Compiler *Compiler
	Now      func() time.Time            // nil: time.Now
	Changed  func(context.Context) error // reloads the engine; nil: nothing
}

var (
	profileWriters = []auth.Role{auth.RoleRiskAnalyst, auth.RoleAdmin}
	profileReaders = []auth.Role{auth.RoleOfficer, auth.RoleRiskAnalyst, auth.RoleAdmin}
)

func allowed(p auth.Principal, roles []auth.Role) error {
	if !slices.Contains(roles, p.Role) {
		return jinguan.Errorf(jinguan.EFORBIDDEN, "当前角色无权执行该操作", "your role may not do this")
	}
	return nil
}

func (r *Registry) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Registry) changed(ctx context.Context) error {
	if r.Changed == nil {
		return nil
	}
	return r.Changed(ctx)
}

// Check validates a profile in full: its fields, then its expression
// (syntax, fields, type, cost), each problem with a JSON pointer and, for
// the expression, the line and column.
func (r *Registry) Check(p *Profile) []jinguan.FieldError {
	errs := p.Check()
	if p.Expr != "" && !slices.ContainsFunc(errs, func(e jinguan.FieldError) bool { return e.Pointer == "/expr" }) {
		if _, cerrs := r.Compiler.Compile(p.Expr); cerrs != nil {
			errs = append(errs, cerrs...)
		}
	}
	return errs
}

// fresh resets what the registry keeps, for a new version by p.
func fresh(in Profile, by auth.Principal, at time.Time) Profile {
	in.Status, in.CreatedAt, in.CreatedBy = Draft, at, by.User
	in.ActivatedAt, in.ActivatedBy, in.RetiredAt, in.RetiredBy = time.Time{}, "", time.Time{}, ""
	return in
}

// Create stores version 1 of a new profile as a draft. An id in use is
// ECONFLICT: edit that profile instead.
func (r *Registry) Create(ctx context.Context, p auth.Principal, in Profile) (Profile, error) {
	if err := allowed(p, profileWriters); err != nil {
		return Profile{}, err
	}
	at := r.now()
	in = fresh(in, p, at)
	in.Version = 1
	if errs := r.Check(&in); len(errs) > 0 {
		return Profile{}, jinguan.Invalid(errs)
	}
	if _, err := r.Store.ProfileVersions(ctx, in.ID); err == nil {
		return Profile{}, jinguan.Errorf(jinguan.ECONFLICT, "布控规则 %s 已存在，请编辑生成新版本",
			"profile %s exists: edit it to make a new version", in.ID)
	} else if jinguan.ErrorCode(err) != jinguan.ENOTFOUND {
		return Profile{}, err
	}
	err := r.Store.WriteProfiles(ctx, ProfileWrite{Insert: []Profile{in},
		Events: []ProfileEvent{{ProfileID: in.ID, Version: 1, Action: "create", Actor: p.User, Role: string(p.Role), At: at}}})
	return in, err
}

// Edit stores a new draft version of profile id. in.Version, when set, is
// the version the analyst edited: if someone saved a newer one meanwhile
// the edit is ECONFLICT rather than silently overwriting it.
func (r *Registry) Edit(ctx context.Context, p auth.Principal, id string, in Profile) (Profile, error) {
	if err := allowed(p, profileWriters); err != nil {
		return Profile{}, err
	}
	vs, err := r.Store.ProfileVersions(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	last := vs[len(vs)-1].Version
	if in.Version != 0 && in.Version != last {
		return Profile{}, jinguan.Errorf(jinguan.ECONFLICT, "布控规则 %s 已有更新的版本 %d",
			"profile %s has a newer version %d", id, last)
	}
	at := r.now()
	in = fresh(in, p, at)
	in.ID, in.Version = id, last+1
	if errs := r.Check(&in); len(errs) > 0 {
		return Profile{}, jinguan.Invalid(errs)
	}
	err = r.Store.WriteProfiles(ctx, ProfileWrite{Insert: []Profile{in},
		Events: []ProfileEvent{{ProfileID: id, Version: in.Version, Action: "edit", Actor: p.User, Role: string(p.Role), At: at}}})
	return in, err
}

// Activate puts a draft version into service; the version that was
// active before, if any, is retired in the same step.
func (r *Registry) Activate(ctx context.Context, p auth.Principal, id string, version int, reason string) (Profile, error) {
	return r.setStatus(ctx, p, id, version, Active, reason)
}

// Retire takes a draft or active version out of service for good.
func (r *Registry) Retire(ctx context.Context, p auth.Principal, id string, version int, reason string) (Profile, error) {
	return r.setStatus(ctx, p, id, version, Retired, reason)
}

func (r *Registry) setStatus(ctx context.Context, p auth.Principal, id string, version int, to Status, reason string) (Profile, error) {
	if err := allowed(p, profileWriters); err != nil {
		return Profile{}, err
	}
	if len([]rune(reason)) > 500 {
		return Profile{}, jinguan.Invalid([]jinguan.FieldError{{Pointer: "/reason", Code: "too_long",
			MessageZH: "内容过长", MessageEN: "too long"}})
	}
	vs, err := r.Store.ProfileVersions(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	i := slices.IndexFunc(vs, func(x Profile) bool { return x.Version == version })
	if i < 0 {
		return Profile{}, jinguan.NotFound(fmt.Sprintf("布控规则 %s 版本 %d", id, version), fmt.Sprintf("profile %s version %d", id, version))
	}
	cur := vs[i]
	if cur.Status == Retired || cur.Status == to {
		return Profile{}, jinguan.Errorf(jinguan.ETRANSITION, "布控规则 %s 版本 %d 当前状态为 %s，不能改为 %s",
			"profile %s version %d is %s and cannot become %s", id, version, cur.Status, to)
	}
	at := r.now()
	w := ProfileWrite{}
	ev := func(v int, action string) ProfileEvent {
		return ProfileEvent{ProfileID: id, Version: v, Action: action, Actor: p.User, Role: string(p.Role), At: at, Reason: reason}
	}
	if to == Active {
		// Recompiled: lists and functions may have changed since it was saved.
		if errs := r.Check(&cur); len(errs) > 0 {
			return Profile{}, jinguan.Invalid(errs)
		}
		for _, x := range vs {
			if x.Status == Active {
				w.Status = append(w.Status, StatusChange{ID: id, Version: x.Version, From: Active, To: Retired, At: at, By: p.User})
				w.Events = append(w.Events, ev(x.Version, "retire"))
			}
		}
	}
	w.Status = append(w.Status, StatusChange{ID: id, Version: version, From: cur.Status, To: to, At: at, By: p.User})
	w.Events = append(w.Events, ev(version, map[Status]string{Active: "activate", Retired: "retire"}[to]))
	if err := r.Store.WriteProfiles(ctx, w); err != nil {
		return Profile{}, err
	}
	cur.Status = to
	if to == Active {
		cur.ActivatedAt, cur.ActivatedBy = at, p.User
	} else {
		cur.RetiredAt, cur.RetiredBy = at, p.User
	}
	return cur, r.changed(ctx)
}

// Import stores profiles from a file, all or none: each becomes a new
// version of its id (keeping the file's version number when it is newer
// than any stored one) with the file's status; an active one retires the
// active version it replaces. Problems are reported for all profiles at
// once, with pointers /<index>/<field>.
func (r *Registry) Import(ctx context.Context, p auth.Principal, ps []Profile) ([]Profile, error) {
	if err := allowed(p, profileWriters); err != nil {
		return nil, err
	}
	at := r.now()
	var errs []jinguan.FieldError
	seen := map[string]bool{}
	for i := range ps {
		status := ps[i].Status
		if status == "" {
			status = Draft
		}
		ps[i] = fresh(ps[i], p, at)
		ps[i].Status = status
		at := "/" + strconv.Itoa(i)
		for _, e := range r.Check(&ps[i]) {
			e.Pointer = at + e.Pointer
			errs = append(errs, e)
		}
		if seen[ps[i].ID] {
			errs = append(errs, jinguan.FieldError{Pointer: at + "/id", Code: "duplicate",
				MessageZH: "同一文件中编号重复", MessageEN: "the id appears twice in the file"})
		}
		seen[ps[i].ID] = true
	}
	if len(errs) > 0 {
		return nil, jinguan.Invalid(errs)
	}
	var w ProfileWrite
	for i := range ps {
		x := &ps[i]
		vs, err := r.Store.ProfileVersions(ctx, x.ID)
		if err != nil && jinguan.ErrorCode(err) != jinguan.ENOTFOUND {
			return nil, err
		}
		last := 0
		if len(vs) > 0 {
			last = vs[len(vs)-1].Version
		}
		if x.Version <= last {
			x.Version = last + 1
		}
		ev := ProfileEvent{ProfileID: x.ID, Version: x.Version, Action: "import", Actor: p.User, Role: string(p.Role), At: at}
		w.Events = append(w.Events, ev)
		switch x.Status {
		case Active:
			x.ActivatedAt, x.ActivatedBy = at, p.User
			for _, old := range vs {
				if old.Status == Active {
					w.Status = append(w.Status, StatusChange{ID: x.ID, Version: old.Version, From: Active, To: Retired, At: at, By: p.User})
					ev.Version, ev.Action = old.Version, "retire"
					w.Events = append(w.Events, ev)
				}
			}
		case Retired:
			x.RetiredAt, x.RetiredBy = at, p.User
		}
		w.Insert = append(w.Insert, *x)
	}
	if err := r.Store.WriteProfiles(ctx, w); err != nil {
		return nil, err
	}
	return ps, r.changed(ctx)
}

// Get returns one version (0: the latest).
func (r *Registry) Get(ctx context.Context, p auth.Principal, id string, version int) (Profile, error) {
	if err := allowed(p, profileReaders); err != nil {
		return Profile{}, err
	}
	vs, err := r.Store.ProfileVersions(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	if version == 0 {
		return vs[len(vs)-1], nil
	}
	for _, v := range vs {
		if v.Version == version {
			return v, nil
		}
	}
	return Profile{}, jinguan.NotFound(fmt.Sprintf("布控规则 %s 版本 %d", id, version), fmt.Sprintf("profile %s version %d", id, version))
}

// History returns every version of a profile and its audit events.
func (r *Registry) History(ctx context.Context, p auth.Principal, id string) ([]Profile, []ProfileEvent, error) {
	if err := allowed(p, profileReaders); err != nil {
		return nil, nil, err
	}
	vs, err := r.Store.ProfileVersions(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	evs, err := r.Store.ProfileEvents(ctx, id)
	return vs, evs, err
}

// List returns the latest version of every profile, or every active one.
func (r *Registry) List(ctx context.Context, p auth.Principal, activeOnly bool) ([]Profile, error) {
	if err := allowed(p, profileReaders); err != nil {
		return nil, err
	}
	return r.Store.Profiles(ctx, activeOnly)
}
