package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The demo's model is trained at start and then scores every declaration
// through the pipeline, with an explanation in both languages; its weekly
// drift and versions are served, and changes are refused without history
// or an earlier model.
func TestDemoModelScoresDeclarations(t *testing.T) {
	e := newEnv(t, "", true)
	ctx := context.Background()
	m, err := e.a.SeedDemoModel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m == nil || m.Version != 1 || m.Latest == nil || m.Latest.AUC < 0.65 || m.Source != "demo" {
		t.Fatalf("demo model %+v", m)
	}
	t.Logf("demo model: %d items, %d trees, latest auc %.3f", m.TrainItems, m.Trees, m.Latest.AUC)
	if again, err := e.a.SeedDemoModel(ctx); err != nil || again != nil {
		t.Fatalf("a second start trained again: %+v %v", again, err)
	}
	admin := e.users["admin"].Token
	selected, lastID := 0, 0
	for i := range 40 {
		f, u := e.gen.Form(time.Now())
		code, body := e.submit(f, u, fmt.Sprint("model-", i))
		if code != 201 {
			t.Fatalf("submit: %d %v", code, body)
		}
		d := e.settle(body["id"].(float64))
		lastID = int(body["id"].(float64))
		risk := d["risk"].(map[string]any)
		md, ok := risk["model"].(map[string]any)
		if !ok {
			t.Fatalf("no model decision in %v", risk)
		}
		items := md["items"].([]any)
		factors, _ := md["factors"].([]any)
		if md["version"].(float64) != 1 || len(items) != len(f.Items) || len(factors) == 0 {
			t.Fatalf("model decision %v", md)
		}
		first := factors[0].(map[string]any)
		if first["zh"] == "" || first["en"] == "" || !strings.Contains(risk["reason_en"].(string), "risk model v1") ||
			!strings.Contains(risk["reason_zh"].(string), "风险模型 v1") {
			t.Fatalf("reasons %q / %q", risk["reason_zh"], risk["reason_en"])
		}
		if md["selected"] != nil {
			selected++
		}
	}
	t.Logf("%d of 40 selected by the model", selected)
	// The declaration's page shows the score and the factors in words.
	if html := e.page(fmt.Sprintf("/console/declarations/%d?lang=en", lastID), admin); !strings.Contains(html, `id="risk-model"`) ||
		!strings.Contains(html, `id="risk-factors"`) || !strings.Contains(html, " the score") {
		t.Error("the declaration page lacks the model's score and factors")
	}
	if err := e.a.Risk.Projector.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	code, drift := e.do("GET", "/api/v1/risk/models/drift?weeks=2", admin, nil)
	if code != 200 || drift["active"].(float64) != 1 {
		t.Fatalf("drift %d %v", code, drift)
	}
	weeks := drift["weeks"].([]any)
	if w := weeks[len(weeks)-1].(map[string]any); len(weeks) != 2 || w["declarations"].(float64) != 40 {
		t.Fatalf("drift weeks %v", weeks)
	}
	code, list := e.do("GET", "/api/v1/risk/models", admin, nil)
	if code != 200 || list["active"].(float64) != 1 || len(list["models"].([]any)) != 1 || list["policy"].(map[string]any)["capacity"].(float64) != 0.05 {
		t.Fatalf("models %d %v", code, list)
	}
	if code, _ := e.do("GET", "/api/v1/risk/models", e.users[declarantName(e)].Token, nil); code != 403 {
		t.Fatalf("a declarant listed the models: %d", code)
	}
	// All 40 declarations are in the latest period: nothing to train on.
	if code, body := e.do("POST", "/api/v1/risk/models/retrain", admin, map[string]any{"reason": "test"}); code != 422 {
		t.Fatalf("retrain without history: %d %v", code, body)
	}
	if code, body := e.do("POST", "/api/v1/risk/models/rollback", admin, map[string]any{"reason": "test"}); code != 409 {
		t.Fatalf("rollback without an earlier model: %d %v", code, body)
	}
	if code, _ := e.do("POST", "/api/v1/risk/models/rollback", admin, map[string]any{}); code != 422 {
		t.Fatalf("rollback without a reason: %d", code)
	}
	// The console page in both languages: chart, weeks, versions, forms.
	for lang, want := range map[string][]string{
		"zh": {"风险预测模型", "启用版本", "v1", `id="drift-chart"`, "评分分布与查获率", "演示启动时在合成历史上训练", `id="form-retrain"`},
		"en": {"Risk prediction model", "Active version", `id="drift-chart"`, "Scores and hit rates by week", "trained at demo start", `id="form-rollback"`},
	} {
		html := e.page("/console/risk/model?lang="+lang, e.users["analyst.zhao"].Token)
		for _, w := range want {
			if !strings.Contains(html, w) {
				t.Errorf("%s page lacks %q", lang, w)
			}
		}
	}
	if html := e.page("/console/risk/model?lang=en", e.users["officer.wang"].Token); strings.Contains(html, `id="form-retrain"`) ||
		!strings.Contains(html, "drift-weeks") {
		t.Error("an officer sees the page without the analysts' forms")
	}
}

// page fetches a console page with a session.
func (e *env) page(path, token string) string {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "jinguan_session", Value: token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		e.t.Fatalf("%s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}

func declarantName(e *env) string {
	for n, u := range e.users {
		if u.Role == "declarant" {
			return n
		}
	}
	return ""
}
