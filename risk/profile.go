package risk

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/declaration"
)

// Profile is an analyst's targeting rule (布控规则): a CEL condition over a
// declaration item and its header, and what to do when it holds. Editing
// creates a new version; old versions are kept.
type Profile struct {
	ID        string `json:"id"`
	Version   int    `json:"version"`
	Title     string `json:"title"`
	Rationale string `json:"rationale"`
	// Scope: national, regional (a channel: sea, air, land) or local (a
	// customs district and the offices under it).
	Scope     Scope     `json:"scope"`
	Direction string    `json:"direction"` // I, E or "" for both
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to,omitzero"`
	Expr      string    `json:"expr"`
	Action    Action    `json:"action"`
	Priority  int       `json:"priority"` // higher wins when several match
	Owner     string    `json:"owner"`
	Status    Status    `json:"status"`
	// Kept by the registry; ignored on import.
	CreatedAt   time.Time `json:"created_at,omitzero"`
	CreatedBy   string    `json:"created_by,omitempty"`
	ActivatedAt time.Time `json:"activated_at,omitzero"`
	ActivatedBy string    `json:"activated_by,omitempty"`
	RetiredAt   time.Time `json:"retired_at,omitzero"`
	RetiredBy   string    `json:"retired_by,omitempty"`
}

// Scope says where a profile applies.
type Scope struct {
	Level   string `json:"level"`             // national | regional | local
	Channel string `json:"channel,omitempty"` // regional: sea, air, land
	Office  string `json:"office,omitempty"`  // local: 4-digit customs code
}

// Action is what a match does.
type Action struct {
	Lane        declaration.Lane `json:"lane"`
	Instruction string           `json:"instruction"` // 查验指令 for the inspector
	Percent     float64          `json:"percent"`     // share of matches selected, (0, 100]
	// MaxUnselected: after this many matches in a row left unselected by
	// the percentage, the next match is selected (0: the configured default).
	MaxUnselected int `json:"max_unselected,omitempty"`
}

// Status of a profile version.
type Status string

const (
	Draft   Status = "draft"
	Active  Status = "active"
	Retired Status = "retired"
)

// reservedIDs name API paths under /risk/profiles/.
var reservedIDs = []string{"import", "export", "check"}

var (
	reProfileID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	reOffice    = regexp.MustCompile(`^[0-9]{4}$`)
)

// Check validates everything but the expression, reporting every problem.
func (p *Profile) Check() []jinguan.FieldError {
	var errs []jinguan.FieldError
	bad := func(ptr, code, zh, en string) {
		errs = append(errs, jinguan.FieldError{Pointer: ptr, Code: code, MessageZH: zh, MessageEN: en})
	}
	if !reProfileID.MatchString(p.ID) {
		bad("/id", "format", "编号应为 1–64 位字母、数字或 ._-", "1–64 letters, digits or ._-")
	} else if slices.Contains(reservedIDs, p.ID) {
		bad("/id", "reserved", "该编号为系统保留", "this id is reserved")
	}
	text := func(ptr, s string, max int) {
		if s == "" {
			bad(ptr, "required", "必填项缺失", "is required")
		} else if utf8.RuneCountInString(s) > max {
			bad(ptr, "too_long", "长度不能超过 "+strconv.Itoa(max)+" 个字符", "must be at most "+strconv.Itoa(max)+" characters")
		}
	}
	text("/title", p.Title, 200)
	text("/rationale", p.Rationale, 2000)
	text("/owner", p.Owner, 64)
	text("/expr", p.Expr, 4000)
	switch p.Scope.Level {
	case "national":
	case "regional":
		if !slices.Contains([]string{"sea", "air", "land"}, p.Scope.Channel) {
			bad("/scope/channel", "one_of", "取值应为 sea, air, land 之一", "must be one of sea, air, land")
		}
	case "local":
		if !reOffice.MatchString(p.Scope.Office) {
			bad("/scope/office", "format", "应为 4 位关区代码", "must be a 4-digit customs code")
		}
	default:
		bad("/scope/level", "one_of", "取值应为 national, regional, local 之一", "must be one of national, regional, local")
	}
	if p.Direction != "" && p.Direction != "I" && p.Direction != "E" {
		bad("/direction", "one_of", "取值应为 I, E 或空", "must be I, E or empty")
	}
	if p.ValidFrom.IsZero() {
		bad("/valid_from", "required", "必填项缺失", "is required")
	} else if !p.ValidTo.IsZero() && !p.ValidTo.After(p.ValidFrom) {
		bad("/valid_to", "before_start", "截止日期须晚于起始日期", "must be after valid_from")
	}
	if !slices.Contains([]declaration.Lane{declaration.LaneYellow, declaration.LaneRed, declaration.LaneBlue}, p.Action.Lane) {
		bad("/action/lane", "one_of", "取值应为 yellow, red, blue 之一", "must be one of yellow, red, blue")
	}
	if p.Action.Percent <= 0 || p.Action.Percent > 100 {
		bad("/action/percent", "out_of_range", "布控比例应在 (0, 100] 之间", "must be in (0, 100]")
	}
	if p.Action.MaxUnselected < 0 || p.Action.MaxUnselected > 100000 {
		bad("/action/max_unselected", "out_of_range", "应在 0 到 100000 之间", "must be in [0, 100000]")
	}
	if utf8.RuneCountInString(p.Action.Instruction) > 1000 {
		bad("/action/instruction", "too_long", "长度不能超过 1000 个字符", "must be at most 1000 characters")
	}
	if !slices.Contains([]Status{Draft, Active, Retired}, p.Status) {
		bad("/status", "one_of", "取值应为 draft, active, retired 之一", "must be one of draft, active, retired")
	}
	return errs
}

// applies reports whether the profile's scope, direction and validity
// cover a declaration of office (with its channel) and direction on day
// (as Unix seconds, compared with from and to: the validity in seconds,
// to 0 for open-ended).
func (p *Profile) applies(office, channel, parent, dir string, day, from, to int64) bool {
	if p.Direction != "" && p.Direction != dir {
		return false
	}
	if day < from || (to != 0 && day >= to) {
		return false
	}
	switch p.Scope.Level {
	case "regional":
		return p.Scope.Channel == channel
	case "local":
		return p.Scope.Office == office || p.Scope.Office == parent
	}
	return true
}

// validity is the profile's validity in Unix seconds; to 0 when open.
func (p *Profile) validity() (from, to int64) {
	if !p.ValidTo.IsZero() {
		to = p.ValidTo.Unix()
	}
	return p.ValidFrom.Unix(), to
}

func (p *Profile) String() string { return fmt.Sprintf("%s v%d", p.ID, p.Version) }
