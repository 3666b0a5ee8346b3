package http_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jinguan-customs/jinguan/declaration"
)

// TestConsoleInChromium drives the console in headless Chromium. It runs
// when JINGUAN_TEST_CHROMIUM names the browser binary (CI sets it to
// Debian's /usr/bin/chromium). JINGUAN_TEST_SCREENSHOTS names a folder to
// keep screenshots of the pages in.
func TestConsoleInChromium(t *testing.T) {
	bin := os.Getenv("JINGUAN_TEST_CHROMIUM")
	if bin == "" {
		t.Skip("JINGUAN_TEST_CHROMIUM is not set")
	}
	const n = 30
	f := startConsole(t, n)
	b := newBrowser(t, bin, f.srv.URL)

	// A page without a session leads to the login form; Chromium asks for
	// Chinese (--lang), so the console answers in Chinese.
	b.open("/console/declarations", 200)
	if loc := b.eval(`location.pathname`); loc != "/console/login" {
		t.Fatalf("not redirected to login: %s", loc)
	}
	b.login(f.users["officer.wang"].Token)
	b.want(`document.documentElement.lang`, "zh-CN")
	b.wantText("#declarations thead", "海关编号")
	if rows := b.strings(`[...document.querySelectorAll('#declarations tbody tr')].map(r => r.dataset.status)`); len(rows) != n {
		t.Errorf("list shows %d rows, want %d", len(rows), n)
	}
	b.want(`document.querySelector('.count.total b').textContent`, strconv.Itoa(n))
	b.screenshot("list-zh")

	// The switcher turns the same page into English.
	b.click("#lang-switch")
	b.want(`document.documentElement.lang`, "en")
	b.wantText("#declarations thead", "Entry number")

	// Filter by lane: every row shown is in that lane.
	reds := f.count(t, func(d *declaration.Declaration) bool { return d.Lane == declaration.LaneRed })
	if reds == 0 {
		t.Fatal("no red-lane declaration among the samples")
	}
	b.do(chromedp.SetValue(chromedp.ID("f-lane"), "red"))
	b.click("#filter-apply")
	lanes := b.strings(`[...document.querySelectorAll('#declarations tbody tr')].map(r => r.dataset.lane)`)
	if len(lanes) != reds {
		t.Errorf("red filter shows %d rows, want %d", len(lanes), reds)
	}
	for _, l := range lanes {
		if l != "red" {
			t.Errorf("red filter shows a %q row", l)
		}
	}
	b.screenshot("list-en-red")

	// A declaration with taxes: the lane and why, the taxes, the timeline.
	taxed := f.find(t, func(d *declaration.Declaration) bool { return d.Tax != nil && d.Risk != nil })
	b.open("/console/declarations/"+strconv.FormatInt(taxed.ID, 10), 200)
	b.wantText("#risk-reason", taxed.Risk.ReasonEN)
	b.wantText("#taxes", "Customs value")
	if got := strings.ReplaceAll(b.text("#tax-total"), ",", ""); got != taxed.Tax.Total.StringFixed(2) {
		t.Errorf("tax total %s, want %s", got, taxed.Tax.Total.StringFixed(2))
	}
	b.wantText("#events", "Risk assessment")
	if evs := b.strings(`[...document.querySelectorAll('#timeline tbody tr')].map(r => r.dataset.action)`); len(evs) < 3 || evs[0] != "submit" {
		t.Errorf("timeline %v", evs)
	}
	b.screenshot("detail-en")

	// An officer records an inspection finding on a red-lane declaration
	// through the form; the page comes back with the new status.
	red := f.find(t, func(d *declaration.Declaration) bool { return d.Status == declaration.StatusUnderInspection })
	b.open("/console/declarations/"+strconv.FormatInt(red.ID, 10)+"?lang=zh", 200)
	b.wantText("#status", "查验中")
	b.do(chromedp.SetValue(chromedp.CSS(`#form-record_result select[name=outcome]`), "finding"))
	b.do(chromedp.SetValue(chromedp.CSS(`#form-record_result input[name=g_no]`), "1"))
	b.do(chromedp.SetValue(chromedp.CSS(`#form-record_result select[name=kind]`), "value"))
	b.do(chromedp.SetValue(chromedp.CSS(`#form-record_result input[name=finding_note]`), "单价明显偏低"))
	b.click("#form-record_result button")
	b.wantText(".notice", "录入查验结果")
	b.wantText("#inspection-outcome", "发现问题")
	b.wantText("#inspection", "单价明显偏低")
	if st := b.text("#status"); st == "查验中" {
		t.Errorf("status still %q after the result", st)
	}
	b.wantText("#timeline", "officer.wang")
	b.screenshot("detail-zh-inspected")

	// A declarant of another enterprise gets the 404 page, and no counts.
	b.click("header form button")
	b.login(f.outsider(t, red).Token)
	if b.eval(`String(document.querySelector('.counts') === null)`) != "true" {
		t.Error("a declarant sees the status counts")
	}
	b.open("/console/declarations/"+strconv.FormatInt(red.ID, 10), 404)
	b.wantText("#error-page", "404")
}

// count is how many fixture declarations match ok.
func (f *consoleFixture) count(t *testing.T, ok func(*declaration.Declaration) bool) int {
	n := 0
	for _, id := range f.ids {
		d, err := f.app.Declarations.Get(context.Background(), f.users["admin"].Principal(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(d) {
			n++
		}
	}
	return n
}

type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string
}

func newBrowser(t *testing.T, bin, base string) *browser {
	// The machine may be offline: these flags stop Chromium's own traffic.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"),
	)
	limit, stop := context.WithTimeout(context.Background(), 3*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(limit, opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		chromedp.Cancel(ctx) // waits for the browser to exit before TempDir is removed
		cancel()
		cancelAlloc()
		stop()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", bin, err)
	}
	return &browser{t: t, ctx: ctx, base: base, shot: os.Getenv("JINGUAN_TEST_SCREENSHOTS")}
}

// run runs one action with a time limit, so that a missing element fails
// the test quickly instead of waiting for the browser's overall limit.
func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

func (b *browser) do(a chromedp.Action[chromedp.Void]) { b.t.Helper(); run(b, "action", a) }

// open loads a path and checks the status of the final response.
func (b *browser) open(path string, code int64) {
	b.t.Helper()
	res := run(b, "open "+path, chromedp.NavigateResponse(b.base+path))
	if res.Status != code {
		b.t.Fatalf("open %s: status %d, want %d", path, res.Status, code)
	}
}

// click clicks an element that loads a new page and waits for it.
func (b *browser) click(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
	if res.Status >= 400 {
		b.t.Fatalf("click %s: status %d at %s", sel, res.Status, res.URL)
	}
}

func (b *browser) login(token string) {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.ID("token"), token))
	b.click("#login-submit")
	if p := b.eval(`location.pathname`); p != "/console/declarations" {
		b.t.Fatalf("after login at %s", p)
	}
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	return run(b, js, chromedp.Evaluate[string](js))
}

func (b *browser) strings(js string) []string {
	b.t.Helper()
	return run(b, js, chromedp.Evaluate[[]string](js))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return run(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

func (b *browser) want(js, want string) {
	b.t.Helper()
	if got := b.eval(js); got != want {
		b.t.Errorf("%s = %q, want %q", js, got, want)
	}
}

func (b *browser) wantText(sel, sub string) {
	b.t.Helper()
	if got := b.text(sel); !strings.Contains(got, sub) {
		b.t.Errorf("%s lacks %q: %.300q", sel, sub, got)
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	if b.shot == "" {
		return
	}
	png := run(b, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(b.shot, "console-"+name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
