package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/credit"
	"github.com/jinguan-customs/jinguan/demo"
)

// SeedDemoCredit records the demo's credit history through the credit
// service, as officers and enterprises would, so every grade, the audit
// trail and a pending repair show up, the random stream inspects the demo
// traders at different rates, and their goods leave before payment on
// different terms (a dishonest trader's general guarantee no longer
// serves). It does nothing when the record exists.
// serve --demo calls it after SeedDemo; tests that want plain regular
// traders do not.
func (a *App) SeedDemoCredit(ctx context.Context, users []demo.User) error {
	ents := demo.Enterprises()
	admin := auth.Principal{User: "demo", Role: auth.RoleAdmin}
	if es, err := a.Credit.Events(ctx, admin, ents[3].SCC); err != nil || len(es) > 0 {
		return err
	}
	declarant := map[string]auth.Principal{}
	for _, u := range users {
		if u.Role == auth.RoleDeclarant {
			declarant[u.Enterprise] = u.Principal()
		}
	}
	steps := demo.CreditRecord(ents, credit.DateOf(time.Now()))
	ids := make([]int64, len(steps))
	var batch []map[string]any
	var batchAt []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		body, _ := json.Marshal(map[string]any{"events": batch})
		rec, err := a.Credit.ImportEvents(ctx, admin, body)
		if err != nil {
			return fmt.Errorf("demo credit record: %w", err)
		}
		for k, i := range batchAt {
			ids[i] = rec.Events[k].ID
		}
		batch, batchAt = batch[:0], batchAt[:0]
		return nil
	}
	for i, st := range steps {
		if st.Do == "event" && st.Ref < 0 {
			batch, batchAt = append(batch, st.Body), append(batchAt, i)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		if st.Ref >= 0 {
			st.Body["refers_to"] = ids[st.Ref]
		}
		body, _ := json.Marshal(st.Body)
		var err error
		switch st.Do {
		case "event":
			var rec credit.Recorded
			if rec, err = a.Credit.RecordEvent(ctx, admin, body); err == nil {
				ids[i] = rec.Events[0].ID
			}
		case "certify":
			_, err = a.Credit.Certify(ctx, admin, st.SCC, body)
		case "repair":
			p := admin
			if st.AsEnterprise {
				p = declarant[st.SCC]
			}
			_, err = a.Credit.ApplyRepair(ctx, p, st.SCC, body)
		}
		if err != nil {
			return fmt.Errorf("demo credit record, step %d (%s %s): %w", i, st.Do, st.SCC, err)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if _, err := a.Credit.Run(ctx, nil); err != nil {
		return err
	}
	g := demo.ListedGuarantee(ents)
	if _, err := a.Guarantees.Store.GuaranteeAccount(ctx, g.ID); err == nil {
		return nil
	}
	_, err := a.Guarantees.Register(ctx, admin, g, "总担保（列入失信前提交）/ general guarantee lodged before the listing", time.Now())
	return err
}
