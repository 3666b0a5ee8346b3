package tariff

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Schedule versions. Rates are looked up on the rate date, every
// assessment records the rates it used and the version of the files they
// came from, and a deployment keeps each accepted tariff folder: so a new
// load never changes what a completed declaration was charged, and a load
// that would change a rate already in force is refused unless it is meant
// (then the batch re-review decides what to re-assess).

// rateFiles are the files whose contents make a schedule version.
var rateFiles = []string{ScheduleFile, FileMFNPartners, FileParties, FileAgreement, FileSpecial, FileProvisional,
	FileQuota, FileRemedies, FileConsumption, FileLicenceRules}

// Version names the schedule's files: the first 12 hex digits of the
// SHA-256 of their names and contents ("" for a schedule built in memory).
func (s *Schedule) Version() string { return s.version }

// digest computes the version of the rate files present in fsys.
func digest(fsys fs.FS, schedule string) (string, error) {
	h := sha256.New()
	for _, name := range rateFiles {
		src := name
		if name == ScheduleFile {
			src = schedule
		}
		b, err := fs.ReadFile(fsys, src)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// inForce is the part of a folder's rows that applied up to and including
// day: each dated row, its period cut at the day after, keyed by file.
func inForce(fsys fs.FS, schedule, day string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, name := range rateFiles {
		src := name
		if name == ScheduleFile {
			src = schedule
		}
		b, err := fs.ReadFile(fsys, src)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r := csv.NewReader(strings.NewReader(string(b)))
		r.Comment, r.FieldsPerRecord = '#', -1
		rows, err := r.ReadAll()
		if err != nil || len(rows) == 0 {
			continue // the loader reports malformed files
		}
		head := rows[0]
		from, to := slices.Index(head, "valid_from"), slices.Index(head, "valid_to")
		if from < 0 || to < 0 {
			continue
		}
		order := make([]int, len(head)) // columns by name, so reordering them is no change
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(head[a], head[b]) })
		next := nextDay(day)
		for _, row := range rows[1:] {
			if len(row) != len(head) || row[from] > day {
				continue
			}
			cells := make([]string, 0, len(row))
			for _, i := range order {
				v := strings.TrimSpace(row[i])
				if i == to && (v == "" || v > next) {
					v = next
				}
				cells = append(cells, head[i]+"="+v)
			}
			out[name] = append(out[name], strings.Join(cells, ","))
		}
		slices.Sort(out[name])
	}
	return out, nil
}

func nextDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

// Retroactive lists the changes from folder old to folder new that touch
// rates in force on or before day: rows removed or added, by file.
func Retroactive(old, new fs.FS, day string) ([]string, error) {
	a, err := inForce(old, ScheduleFile, day)
	if err != nil {
		return nil, err
	}
	b, err := inForce(new, ScheduleFile, day)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range rateFiles {
		for _, row := range a[name] {
			if !slices.Contains(b[name], row) {
				out = append(out, name+": no longer in force: "+row)
			}
		}
		for _, row := range b[name] {
			if !slices.Contains(a[name], row) {
				out = append(out, name+": now in force: "+row)
			}
		}
	}
	return out, nil
}

// Archive keeps the tariff folder dir, once accepted, under
// archive/<version>/ and records it as current. A folder that changes what
// was in force up to today compared with the current version is refused
// (the error lists the rows) unless allowRetroactive is set.
func Archive(dir, archive, version string, today time.Time, allowRetroactive bool) error {
	if version == "" {
		return nil
	}
	current, err := os.ReadFile(filepath.Join(archive, "current"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	prev := strings.TrimSpace(string(current))
	if prev == version {
		return nil
	}
	if prev != "" && !allowRetroactive {
		changes, err := Retroactive(os.DirFS(filepath.Join(archive, prev)), os.DirFS(dir), day(today))
		if err != nil {
			return err
		}
		if len(changes) > 0 {
			if len(changes) > 10 {
				changes = append(changes[:10], fmt.Sprintf("… %d more", len(changes)-10))
			}
			return fmt.Errorf("tariff folder %s (version %s) changes rates already in force on or before %s "+
				"compared with version %s; add new versions from a later date instead, or allow retroactive "+
				"changes (tariff.allow_retroactive) and re-review the declarations concerned:\n  %s",
				dir, version, day(today), prev, strings.Join(changes, "\n  "))
		}
	}
	dst := filepath.Join(archive, version)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, name := range append(slices.Clone(rateFiles), CalendarFile) {
		if err := copyFile(filepath.Join(dir, name), filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(archive, "current"), []byte(version+"\n"), 0o644)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
